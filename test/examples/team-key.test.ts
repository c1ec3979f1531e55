/** examples/team-key, run as written: a workspace key in a team chosen by its name. */
import { BasetenEmulator } from "../emulator";
import { expectNoLeaks, openExample, type ExampleRun } from "./exampleStack";

jest.setTimeout(10 * 60 * 1000);

let emu: BasetenEmulator;
let run: ExampleRun;

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  run = await openExample("team-key", emu, { team: "no-such-team" });
});
afterAll(async () => {
  await run?.remove();
  await emu?.stop();
});

describe("examples/team-key", () => {
  it("a team name that no team has fails up with the name, and mints nothing", async () => {
    await expect(run.stack.up()).rejects.toThrow(/teamName: no Baseten team is named "no-such-team"/);
    expect(emu.routeCounts()["POST /v1/teams/{team_id}/api_keys"]).toBe(0);
    expect(emu.liveKeys()).toEqual([]);
  });

  it("up resolves the team by name and mints the key in it", async () => {
    await run.stack.setConfig({ [`${run.project}:team`]: "ml-platform" });
    emu.clearLog();
    const up = await run.stack.up();
    // The team by name, who the caller is and the names already taken (once per command), then one POST.
    expect(emu.requestLog().map((r) => r.rawPath)).toEqual([
      "/v1/teams?name=ml-platform",
      "/v1/users/me",
      "/v1/api_keys",
      "/v1/teams/team-ml/api_keys",
    ]);
    const [key] = emu.liveKeys();
    expect([key.type, key.teamId, key.teamName]).toEqual(["WORKSPACE_MANAGE_ALL", "team-ml", "ml-platform"]);
    expect(up.outputs.teamId).toEqual({ value: "team-ml", secret: false });
    expect(up.outputs.apiKey).toEqual({ value: key.apiKey, secret: true });
    await expectNoLeaks(emu, run);
  });

  it("destroy revokes the team key with a verified tombstone", async () => {
    emu.clearLog();
    await run.stack.destroy();
    expect(emu.requestLog().map((r) => [r.route, r.status])).toEqual([["DELETE /v1/api_keys/{prefix}", 200]]);
    expect(emu.liveKeys()).toEqual([]);
  });
});
