import type { PresenceErrorHandler } from './presence-store.ts';

/**
 * Returns `onError`, guarded so that a throwing handler cannot break a heartbeat or a read.
 * Without a handler, errors are rethrown on a later microtask: an uncaught exception, like an
 * EventEmitter `error` nobody listens to, because a library must neither swallow nor print them.
 */
export function createPresenceErrorReporter(onError: PresenceErrorHandler | undefined): PresenceErrorHandler {
  if (onError === undefined) {
    return (error) => queueMicrotask(() => { throw error; });
  }
  return (error, context) => {
    try {
      onError(error, context);
    } catch (handlerError) {
      queueMicrotask(() => { throw handlerError; });
    }
  };
}
