/**
 * Upgrades reach existing keys. `destroy` runs the provider that each resource's `__provider`
 * names: whatever it holds by value is the code of the version that last wrote it, and the
 * modules it requires are loaded from the user's node_modules. Every resource records
 * `providerVersion`, so a new version makes the next `up` an in-place update with no API call
 * that rewrites `__provider`, and from then on `destroy` runs the new code.
 *
 * The previous build is a release itself, built from this repository's history (`git archive`
 * of 0.1.0 at 897f2ff, then of 0.2.0 at 7b5e49e: the same steps from each); the new release is
 * this checkout packed, with observable changes (see newReleaseEdits) and a version of its own.
 * Both are installed in turn into a user's program folder outside the repository and run by the
 * real engine.
 */
import * as fs from "fs";
import * as path from "path";
import { BasetenEmulator, WORKSPACE_NAME } from "../emulator";
import { packCommit, RELEASE_0_1_0, RELEASE_0_2_0 } from "../package/packCommit";
import {
  installTarball,
  installUserProgram,
  makeTempDir,
  packCheckout,
  repackAs,
  DrivenStack,
  type FileEdit,
  type PackResult,
} from "../package/userProgram";

jest.setTimeout(15 * 60 * 1000);

/** The releases upgraded from, and what each recorded as `seenBy` at create (deployer, inference). */
const RELEASES = [
  { version: "0.1.0", commit: RELEASE_0_1_0, seenByAtCreate: { deployer: undefined, inference: undefined } },
  // 0.2.0 recorded the owner of a personal key; a teamless key's creator only when its listing
  // already held a key of that scope (here, none).
  { version: "0.2.0", commit: RELEASE_0_2_0, seenByAtCreate: { deployer: "user-emulator", inference: undefined } },
];

/** Each key's witness (`seenBy`, `seenInWorkspace`), by resource name. */
async function witnessesByName(s: DrivenStack): Promise<Record<string, unknown[]>> {
  return Object.fromEntries(
    (await s.keyResources()).map((r) => [String(r.outputs.resourceName), [r.outputs.seenBy, r.outputs.seenInWorkspace]]),
  );
}

describe.each(RELEASES)("from release $version", (release) => {
  let emu: BasetenEmulator;
  let tmp: string;
  let previous: PackResult;
  let next: string;
  let nextTarball: string;
  let programDir: string;
  /** Updated after the upgrade, then destroyed. */
  let upgraded: DrivenStack;
  /** Left alone after the upgrade, then destroyed: what a user who skips `up` gets. */
  let stale: DrivenStack;

  const DELETE = "DELETE /v1/api_keys/{prefix}";
  /** The marker request of the new release's `delete` method, which lives in `__provider`. */
  const markerPath = () => `/v1/teams?name=delete-code-of-${next}`;
  /** A `__provider` that names the installed package's modules instead of copying their code. */
  const REQUIRE_OF_PACKAGE = /require\("@pulumi-baseten\/api-key\/dist\/provider\/[\w/]+\.js"\)/;
  /** Whether a `__provider` text holds the provider's delete method itself (serialized by value). */
  const storesDeleteByValue = (providerText: string) => providerText.includes("async function /*delete*/");

  /**
   * The new release's changes, each visible in the emulator's request log:
   * - its `delete` method (serialized into state) first sends a marker request;
   * - its client (loaded from node_modules at run time) adds `?client=<version>` to the DELETE.
   */
  function newReleaseEdits(from: string, to: string): FileEdit[] {
    return [
      {
        file: "dist/provider/version.js",
        from: `exports.PROVIDER_VERSION = "${from}";`,
        to: `exports.PROVIDER_VERSION = "${to}";`,
      },
      {
        file: "dist/provider/apiKey/provider.js",
        from: "async delete(rt, id, stored) {",
        to: `async delete(rt, id, stored) {\n        await rt.teamsNamed("delete-code-of-${to}");`,
      },
      {
        file: "dist/provider/client/prefix.js",
        from: "return `/v1/api_keys/${encodeURIComponent(prefix)}`;",
        to: `return \`/v1/api_keys/\${encodeURIComponent(prefix)}?client=${to}\`;`,
      },
    ];
  }

  beforeAll(async () => {
    tmp = makeTempDir("upgrade");
    previous = packCommit(release.commit, tmp);
    const checkout = packCheckout(tmp);
    // A version of its own, even while package.json still names the previous release's.
    next = `${checkout.version}-upgrade`;
    nextTarball = repackAs(checkout.tarball, tmp, next, newReleaseEdits(checkout.version, next));
    programDir = path.join(tmp, "program");
    installUserProgram(programDir, previous.tarball);
    emu = await BasetenEmulator.start();
    const open = (stackName: string) =>
      DrivenStack.open({
        programDir,
        stateDir: path.join(tmp, "state"),
        stackName,
        apiUrl: emu.url,
        managementKey: emu.managementKey,
      });
    upgraded = await open("upgraded");
    stale = await open("stale");
  });
  afterAll(async () => {
    await upgraded?.remove();
    await stale?.remove();
    await emu?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const versionsById = async (s: DrivenStack) =>
    Object.fromEntries((await s.keyResources()).map((r) => [r.id, r.outputs.providerVersion]));

  describe("a new version of the package takes over existing keys", () => {
    let before: Record<string, { value: unknown; secret: boolean }>;
    let providerTextBefore: string;

    it(`release ${release.version} creates the keys of two stacks`, async () => {
      expect(previous.version).toBe(release.version);
      upgraded.keys = [
        { name: "deployer", args: { type: "PERSONAL" } },
        // An explicit name: a replacement would revoke it first; an update must not touch it.
        { name: "inference", args: { type: "WORKSPACE_INVOKE", name: "upgrade-inference", modelIds: ["model-a"] } },
      ];
      stale.keys = [{ name: "metrics", args: { type: "WORKSPACE_EXPORT_METRICS" } }];
      before = (await upgraded.up()).outputs;
      await stale.up();
      expect(emu.liveKeys()).toHaveLength(3);
      const resources = await upgraded.keyResources();
      expect(resources.map((r) => r.outputs.providerVersion)).toEqual([previous.version, previous.version]);
      providerTextBefore = String(resources[0].outputs.__provider);
      expect(providerTextBefore).not.toContain("delete-code-of-");
    });

    it("after installing the new version, preview shows an in-place update of each key, no replacement, and sends nothing", async () => {
      installTarball(programDir, nextTarball);
      emu.clearLog();
      const preview = await upgraded.preview({ diff: true });
      expect(preview.changeSummary).toEqual({ update: 2, same: 1 });
      expect(preview.text).toMatch(new RegExp(`~ providerVersion\\s*: "${previous.version}" => "${next}"`));
      expect(preview.text).not.toMatch(/replace/);
      expect(emu.requestLog()).toEqual([]);
    });

    it("up updates each key in place without any request to Baseten, keeping ids and plaintexts, and stores the new version", async () => {
      const idsBefore = Object.keys(await versionsById(upgraded)).sort();
      emu.clearLog();
      const up = await upgraded.up();
      expect(up.summary.resourceChanges).toEqual({ update: 2, same: 1 });
      expect(emu.requestLog()).toEqual([]);
      expect(emu.liveKeys()).toHaveLength(3);
      const after = await versionsById(upgraded);
      expect(Object.keys(after).sort()).toEqual(idsBefore);
      expect(Object.values(after)).toEqual([next, next]);
      expect(up.outputs.deployerApiKey).toEqual(before.deployerApiKey);
      expect(up.outputs.inferenceApiKey).toEqual(before.inferenceApiKey);
      // What the update stored is the new release's: its code by value, or a require of its module.
      const providerText = String((await upgraded.keyResources())[0].outputs.__provider);
      if (storesDeleteByValue(providerText)) expect(providerText).toContain(`delete-code-of-${next}`);
      else expect(providerText).toMatch(REQUIRE_OF_PACKAGE);

      expect((await upgraded.up({ expectNoChanges: true })).summary.resourceChanges).toEqual({ same: 3 });
    });

    it(`refresh of the upgraded ${release.version} state records who saw each key, in which workspace (one /v1/users/me, one listing), then plans no change`, async () => {
      const seenBefore = await witnessesByName(upgraded);
      // What the release recorded (0.1.0 no witness; 0.2.0 the owner of a personal key, and no
      // workspace), untouched by the update, which sent nothing.
      expect(seenBefore).toEqual({
        deployer: [release.seenByAtCreate.deployer, undefined],
        inference: [release.seenByAtCreate.inference, undefined],
      });
      emu.clearLog();
      await upgraded.refresh();
      expect(emu.routeCounts()).toMatchObject({
        "GET /v1/api_keys": 1,
        "GET /v1/users/me": 1,
        "DELETE /v1/api_keys/{prefix}": 0,
      });
      expect(await witnessesByName(upgraded)).toEqual({
        deployer: ["user-emulator", WORKSPACE_NAME],
        inference: ["user-emulator", WORKSPACE_NAME],
      });
      expect((await upgraded.preview()).changeSummary).toEqual({ same: 3 });
    });

    it("destroy then runs the new delete: its marker request comes first, then one verified DELETE per key", async () => {
      const prefixes = Object.keys(await versionsById(upgraded));
      emu.clearLog();
      await upgraded.destroy();
      const log = emu.requestLog();
      expect(log[0].rawPath).toBe(markerPath());
      const deletes = log.filter((r) => r.route === DELETE);
      expect(deletes.map((r) => [r.rawPath, r.status]).sort()).toEqual(
        prefixes.map((p) => [`/v1/api_keys/${p}?client=${next}`, 200]).sort(),
      );
      expect(await upgraded.keyResources()).toEqual([]);
      for (const p of prefixes) expect(emu.allKeys().find((k) => k.prefix === p)?.revoked).toBe(true);
    });

    it("a stack not updated since the upgrade runs what its state holds: a stored delete as stored, required modules as installed", async () => {
      const [resource] = await stale.keyResources();
      expect(resource.outputs.providerVersion).toBe(previous.version);
      const stored = String(resource.outputs.__provider);
      expect(stored).toBe(providerTextBefore);
      emu.clearLog();
      await stale.destroy();
      const log = emu.requestLog().map((r) => r.rawPath);
      // The client is always required from node_modules, so it is the installed (new) one.
      expect(log).toContain(`/v1/api_keys/${resource.id}?client=${next}`);
      // The delete method runs from state when state holds it by value (so only an update
      // brings the new one), and from node_modules when state only requires its module.
      if (storesDeleteByValue(stored)) expect(log).not.toContain(markerPath());
      else expect(log).toEqual([markerPath(), `/v1/api_keys/${resource.id}?client=${next}`]);
      expect(emu.liveKeys()).toEqual([]);
    });
  });
});
