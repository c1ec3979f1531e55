/**
 * `SecretFile`: a file on this machine whose content is a secret, written with mode 0600, the
 * way a local process (a worker, a systemd unit's EnvironmentFile) receives a credential, like
 * Terraform's `local_sensitive_file`. Its `content` stays a Pulumi secret: encrypted in state
 * and shown as [secret] by every preview. Only the file itself holds the plaintext.
 */
import * as pulumi from "@pulumi/pulumi";

interface SecretFileState {
  path: string;
  content: string;
}

// Writes with 0600 from the first byte; chmod covers a file that already existed.
function writeSecretFile(state: SecretFileState): void {
  // Required lazily: the provider is closure-serialized into state (see the package README).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require("fs") as typeof import("fs");
  fs.writeFileSync(state.path, state.content, { mode: 0o600 });
  fs.chmodSync(state.path, 0o600);
}

const provider: pulumi.dynamic.ResourceProvider<SecretFileState, SecretFileState> = {
  async create(inputs) {
    writeSecretFile(inputs);
    return { id: inputs.path, outs: inputs };
  },
  async diff(_id, olds, news) {
    const moved = olds.path !== news.path;
    return { changes: moved || olds.content !== news.content, replaces: moved ? ["path"] : [] };
  },
  async update(_id, _olds, news) {
    writeSecretFile(news);
    return { outs: news };
  },
  async delete(_id, olds) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("fs") as typeof import("fs")).rmSync(olds.path, { force: true });
  },
};

/** The arguments of a {@link SecretFile}. */
export interface SecretFileArgs {
  /** Absolute path of the file. Changing it writes the new file, then removes the old one. */
  path: pulumi.Input<string>;
  /** The file's content; pass a secret (it is kept secret either way). */
  content: pulumi.Input<string>;
}

/** A local file holding a secret, mode 0600, removed by `pulumi destroy`. */
export class SecretFile extends pulumi.dynamic.Resource {
  /** Where the file is. */
  declare readonly path: pulumi.Output<string>;

  constructor(name: string, args: SecretFileArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "content"] },
      "handoff",
      "SecretFile",
    );
  }
}
