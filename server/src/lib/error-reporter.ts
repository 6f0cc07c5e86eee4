/** Receives an error nobody awaits, with where it came from. Must not throw. */
export type ErrorHandler<Context> = (error: unknown, context: Context) => void;

/**
 * Returns `onError`, guarded so that a throwing handler cannot break a delivery loop, a heartbeat
 * or a read. Without a handler, errors are rethrown on a later microtask: an uncaught exception,
 * like an EventEmitter `error` nobody listens to, because a library must neither swallow nor print them.
 */
export function createErrorReporter<Context>(onError: ErrorHandler<Context> | undefined): ErrorHandler<Context> {
  if (onError === undefined) {
    return (error) =>
      queueMicrotask(() => {
        throw error;
      });
  }
  return (error, context) => {
    try {
      onError(error, context);
    } catch (handlerError) {
      queueMicrotask(() => {
        throw handlerError;
      });
    }
  };
}
