/**
 * The one provider object of every Secret, as the entire export of its own module: in a
 * user's install, `__provider` is captured as
 * `require("@pulumi-baseten/api-key/dist/provider/secret/sharedProvider.js")`, so this path is
 * a public contract (states written by one release name it; later releases must keep it).
 * See ../sharedProvider.ts for why a shared module instead of a copy per resource.
 */
import { createSecretProvider } from "./provider";

export = createSecretProvider();
