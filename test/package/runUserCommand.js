/**
 * Runs one Pulumi command of a program in a fresh Node process, as `pulumi up` runs a program:
 * every module (the Automation API, `@pulumi/pulumi`, `@pulumi-baseten/api-key`) is loaded by
 * Node as the program's folder resolves it, never through jest's module registry, and each
 * command evaluates the program afresh. Plain JavaScript, so it runs in a user's folder that
 * has no TypeScript toolchain; TypeScript programs (the examples) run it with ts-node.
 *
 * The program is either `request.entry` (a module whose exports become the stack's outputs,
 * like a project's index.ts) or `request.keys` (ApiKeys built from plain JSON).
 *
 * Usage: node runUserCommand.js <request.json>; see DrivenStack in userProgram.ts for the
 * request and the result, which is written to `request.resultFile`. The management key arrives
 * in the environment (USER_STACK_MANAGEMENT_KEY), never in a file.
 */
const fs = require("fs");
const path = require("path");
const { createRequire } = require("module");

/** Everything the engine printed, returned with the result for secret scans. */
const text = [];

async function main(request) {
  const userRequire = createRequire(path.join(request.programDir, "package.json"));
  const auto = userRequire("@pulumi/pulumi/automation");
  const program = async () => {
    if (request.entry) return userRequire(request.entry);
    const { ApiKey } = userRequire("@pulumi-baseten/api-key");
    const outputs = {};
    for (const spec of request.keys) {
      const key = new ApiKey(spec.name, spec.args, spec.opts);
      outputs[`${spec.name}Prefix`] = key.prefix;
      outputs[`${spec.name}ApiKey`] = key.apiKey;
    }
    return outputs;
  };
  const stack = await auto.LocalWorkspace.createOrSelectStack(
    { stackName: request.stackName, projectName: request.projectName, program },
    {
      workDir: request.workDir,
      // `main` is where the engine starts the dynamic-provider host, which resolves the modules
      // that `__provider` requires from there. The Automation API's default for inline programs
      // is the driving process's cwd: set it to the user's folder, as `pulumi up` there would.
      projectSettings: { name: request.projectName, runtime: "nodejs", main: request.programDir },
      pulumiHome: request.envVars.PULUMI_HOME,
      pulumiCommand: await auto.PulumiCommand.get({ root: request.cliRoot }),
      envVars: request.envVars,
    },
  );
  const onOutput = (out) => text.push(out);
  const opts = request.options || {};
  let result;
  switch (request.command) {
    case "configure":
      await stack.setConfig("baseten:apiKey", { value: process.env.USER_STACK_MANAGEMENT_KEY, secret: true });
      await stack.setConfig("baseten:apiUrl", { value: request.apiUrl });
      for (const [key, value] of Object.entries(request.config)) await stack.setConfig(key, { value });
      result = {};
      break;
    case "preview": {
      const r = await stack.preview({ onOutput, ...opts });
      result = { changeSummary: r.changeSummary };
      break;
    }
    case "up": {
      const r = await stack.up({ onOutput, ...opts });
      result = { summary: r.summary, outputs: r.outputs };
      break;
    }
    case "refresh": {
      const r = await stack.refresh({ onOutput, ...opts });
      result = { summary: r.summary };
      break;
    }
    case "destroy": {
      const r = await stack.destroy({ onOutput });
      result = { summary: r.summary };
      break;
    }
    case "export": {
      // As a user runs it: secrets stay encrypted (the Automation API's exportStack shows them).
      const r = await stack.workspace.runPulumiCmd(["stack", "export", "--stack", request.stackName]);
      result = { state: JSON.parse(r.stdout) };
      break;
    }
    case "remove":
      await stack.workspace.removeStack(request.stackName, { force: true });
      result = {};
      break;
    default:
      throw new Error(`unknown command ${request.command}`);
  }
  return { ok: true, result, text: text.join("") };
}

const request = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
main(request)
  .catch((e) => ({ ok: false, message: String((e && e.message) || e), text: text.join("") }))
  .then((outcome) => fs.writeFileSync(request.resultFile, JSON.stringify(outcome)));
