/** Public surface of the Baseten emulator (tests, e2e, demos and benchmarks import from here). */
export { BasetenEmulator, dottedManagementKey, MAX_LOG_ENTRIES } from "./server";
export type { OutOfBandKeyInput } from "./server";
export { EmulatorControl } from "./client";
export { EmulatorApiError, KEY_TYPES, NAME_PATTERN } from "./state";
export { EMULATOR_USER, WORKSPACE_NAME, type EmulatedUser, type Manages, type NewUser } from "./users";
export { mulberry32 } from "./faults";
export { canonicalSecretName, SECRET_ROUTES } from "./secrets";
export type { EmulatedSecret, EmulatedSecretInfo } from "./secrets";
export { DEFAULT_MODES, DEFAULT_TEAMS, ROUTES } from "./types";
export type {
  EmulatedKey,
  EmulatedKeyInfo,
  EmulatorModes,
  EmulatorOptions,
  EmulatorSettings,
  FaultKindSpec,
  FaultMatch,
  FaultSpec,
  LoggedRequest,
  PreloadKeysInput,
  RandomFaultKind,
  RandomFaultSpec,
  RequestLogSnapshot,
  RouteLabel,
} from "./types";
