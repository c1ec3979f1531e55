/**
 * The value the engine puts in place of a value not known until apply (during preview). A
 * provider that returns it from `check` tells the engine the value is unknown too.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
