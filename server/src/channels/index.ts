/** The channel layer: carries encoded frames between server nodes, in memory or through Redis. */
export type { ChannelErrorContext, ChannelErrorHandler, ChannelLayer, ChannelListener } from './channel-layer.ts';
export { ChannelLayerError } from './channel-layer-error.ts';
export type { ChannelLayerErrorCode } from './channel-layer-error.ts';
export { createChannelLayer } from './create-channel-layer.ts';
export type { ChannelLayerOptions } from './create-channel-layer.ts';
export { createMemoryBus } from './memory-bus.ts';
export type { MemoryBus, MemoryBusSubscriber } from './memory-bus.ts';
export { createMemoryChannelLayer } from './memory-channel-layer.ts';
export type { MemoryChannelLayerOptions } from './memory-channel-layer.ts';
export { createRedisChannelLayer } from './redis-channel-layer.ts';
export type { RedisChannelLayerOptions } from './redis-channel-layer.ts';
export { createRedisClusterChannelLayer } from './redis-cluster-channel-layer.ts';
export type { RedisClusterChannelLayerOptions } from './redis-cluster-channel-layer.ts';
