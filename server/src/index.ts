/** The server package's public API: start a node, configure it, emit events to its sockets. */
export { startServer, VERSION, type ServerOptions, type SwitchboardServer, type Inspector } from './server.ts';
export { inspectChannels } from './lib/inspect-channels.ts';
export { parseConfig, defaultConfig, ConfigError, configVariables, type ServerConfig } from './config.ts';
export { createEmitter, type Emitter, type EmitTarget } from './delivery/emitter.ts';
export { createDirectEmitter, type DirectEmitter, type DirectEmitterOptions } from './direct-emitter.ts';
export { createChannelLayer, type ChannelLayer } from './channels/index.ts';
export { SwitchboardError } from './lib/errors.ts';
export { createLogger, type Logger } from './lib/logger.ts';
