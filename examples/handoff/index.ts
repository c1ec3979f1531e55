// A worker on this machine needs an invoke key. The program mints it and hands it to another
// resource, here an env file only the worker's user can read, and the key stays a Pulumi
// secret all the way: `key.apiKey` is a secret, so the file's content is one too, encrypted in
// state and shown as [secret] by every preview. Another stack can take it over as well (see
// README.md): a StackReference output of a secret is a secret there too.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ApiKey } from "@pulumi-baseten/api-key";
import { SecretFile } from "./secretFile";

const config = new pulumi.Config();
const modelId = config.get("modelId") ?? "abcd1234";

const key = new ApiKey("worker", { type: "WORKSPACE_INVOKE", modelIds: [modelId] });

const envFile = new SecretFile("worker-env", {
  path: path.resolve(config.get("envFile") ?? "worker.env"),
  content: pulumi.interpolate`BASETEN_API_KEY=${key.apiKey}\n`,
});

/** Where the worker reads its key from (e.g. systemd `EnvironmentFile=`). */
export const envFilePath = envFile.path;
/** The key's prefix. */
export const prefix = key.prefix;
/** The plaintext key, a secret, for other stacks: `new pulumi.StackReference(...).getOutput("apiKey")`. */
export const apiKey = key.apiKey;
