/** Bad usage of the command line (exit code 2), as opposed to an operation that failed (exit 1). */

/** A help topic: '' for the whole CLI, a group such as `apps keys`, or a command name. */
export type HelpTopic = string;

/** Thrown for an unknown command, a missing or extra argument, a bad flag; `topic` says which help to point at. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    message: string,
    readonly topic: HelpTopic = '',
  ) {
    super(message);
  }
}
