/**
 * Creates the base of a module's error class: an `Error` named `name` carrying a `code` from the
 * module's union. One implementation for every module error, so each keeps only its codes.
 */
export function codedErrorClass<Code extends string>(name: string) {
  return class CodedError extends Error {
    /** Why the operation was refused, or what was reported. */
    readonly code: Code;

    constructor(code: Code, message: string, options?: ErrorOptions) {
      super(message, options);
      this.name = name;
      this.code = code;
    }
  };
}
