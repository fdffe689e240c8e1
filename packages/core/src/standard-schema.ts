/**
 * The Standard Schema v1 interface (https://standardschema.dev), copied as the spec asks so that no
 * dependency is needed: zod 4, valibot 1, arktype 2 and others implement it.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The Standard Schema properties. */
  readonly '~standard': StandardSchemaProps<Input, Output>
}

/** The properties of a {@link StandardSchemaV1}. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  /** The version of the spec: 1. */
  readonly version: 1
  /** The library that made the schema, e.g. `zod`. */
  readonly vendor: string
  /** Validates a value: its output (after transforms), or the issues. May be async. */
  readonly validate: (value: unknown) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>
  /** The input and output types, for inference only. */
  readonly types?: StandardSchemaTypes<Input, Output> | undefined
}

/** What `validate` returns. */
export type StandardSchemaResult<Output> = StandardSchemaSuccess<Output> | StandardSchemaFailure

/** A passed validation. */
export interface StandardSchemaSuccess<Output> {
  /** The validated value (after transforms). */
  readonly value: Output
  /** Absent on success. */
  readonly issues?: undefined
}

/** A failed validation. */
export interface StandardSchemaFailure {
  /** What is wrong. */
  readonly issues: ReadonlyArray<StandardSchemaIssue>
}

/** One problem found by a schema. */
export interface StandardSchemaIssue {
  /** For humans; may quote the value (sess never logs it or puts it in an event). */
  readonly message: string
  /** Where in the value. */
  readonly path?: ReadonlyArray<PropertyKey | StandardSchemaPathSegment> | undefined
}

/** A path segment with more information than its key. */
export interface StandardSchemaPathSegment {
  /** The key. */
  readonly key: PropertyKey
}

/** The input and output types of a schema. */
export interface StandardSchemaTypes<Input = unknown, Output = Input> {
  /** What the schema accepts. */
  readonly input: Input
  /** What it gives back (after transforms). */
  readonly output: Output
}

/** The type a schema accepts. */
export type InferSchemaInput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['input']

/** The type a schema gives back: the session's `Data` when it is passed to `createSessions({ schema })`. */
export type InferSchemaOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output']
