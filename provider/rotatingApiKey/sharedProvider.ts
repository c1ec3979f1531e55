/**
 * The one provider object of every RotatingApiKey, as the entire export of its own module: in a
 * user's install, `__provider` is captured as
 * `require("@pulumi-baseten/api-key/dist/provider/rotatingApiKey/sharedProvider.js")`, so this
 * path is a public contract, and a release without it fails loudly on such state instead of
 * revoking one key and forgetting the rest. See ../sharedProvider.ts for why a shared module.
 */
import { createRotatingApiKeyProvider } from "./provider";

export = createRotatingApiKeyProvider();
