/** Compile-time assertions (as in ts-rest's test-helpers): `Expect<Equal<A, B>>` fails tsc unless A and B are identical. */
export type Expect<T extends true> = T;

/** True only when X and Y are the same type (not merely mutually assignable). */
export type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
