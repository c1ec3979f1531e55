/**
 * The one provider object of every ApiKey, as the entire export of its own module.
 *
 * Closure serialization captures a value that is some module's whole `module.exports` as
 * `require("<module>")` when that module lives under node_modules. So in a user's install,
 * `__provider` is a ~300-byte reference to this module instead of ~5 KB of adapter code copied
 * into every resource, twice (inputs and outputs), and rewritten with every checkpoint the
 * engine saves: for a stack of hundreds of keys, that copying dominated `up` and `destroy`
 * (bench/README.md has the numbers). The engine's provider host loads this module from the
 * installed package, so the code that runs is always the installed version's. In this
 * repository, where the module is local, it is serialized by value as before.
 */
import { createApiKeyProvider } from "./apiKey/provider";

export = createApiKeyProvider();
