/**
 * A generated name is derived from the project, the stack, the resource name and the inputs
 * that force a replacement, so `pulumi preview` shows the name `pulumi up` creates (issue 11),
 * a rotation previews its new name, and `pulumi up --replace` takes `<name>-r1` while the old
 * key still holds the name.
 */
import { BasetenEmulator } from "../emulator";
import { TestStack } from "./harness";

jest.setTimeout(10 * 60 * 1000);

let emu: BasetenEmulator;
let ts: TestStack;

beforeAll(async () => {
  emu = await BasetenEmulator.start();
  ts = await TestStack.create({ apiUrl: emu.url, managementKey: emu.managementKey, projectName: "baseten-naming" });
});
afterAll(async () => {
  await ts?.remove();
  await emu?.stop();
});

/** The generated name a preview shows for the key `svc`. */
function previewedName(text: string): string {
  const m = /name\s*:\s*"(svc-[a-z0-9]{7}(?:-r\d+)?)"/.exec(text.split("+ name").join("name"));
  if (!m) throw new Error(`no generated name in the preview:\n${text}`);
  return m[1];
}

describe("generated names through the real engine", () => {
  let created: string;

  it("preview of a new key shows the very name up creates", async () => {
    ts.keys = [{ name: "svc", args: { type: "WORKSPACE_INVOKE", modelIds: ["m1"], rotationTriggers: { q: "1" } } }];
    const shown = previewedName((await ts.preview({ diff: true })).text);
    await ts.up();
    created = emu.liveKeys()[0].name!;
    expect(created).toBe(shown);
  });

  it("a rotation previews the new key's name, and up creates it before revoking the old one", async () => {
    ts.keys[0].args.rotationTriggers = { q: "2" };
    const preview = await ts.preview({ diff: true });
    expect(preview.text).toContain(`"${created}" => "`);
    const shown = /"svc-[a-z0-9]{7}" => "(svc-[a-z0-9]{7})"/.exec(preview.text)![1];
    await ts.up();
    expect(emu.liveKeys().map((k) => k.name)).toEqual([shown]);
    created = shown;
  });

  it("up --replace of an unchanged key takes <name>-r1 while the old key holds the name, then revokes the old key", async () => {
    const [resource] = await ts.keyResources();
    await ts.stack.up({ replace: [resource.urn], onOutput: ts.recorder() });
    const live = emu.liveKeys();
    expect(live.map((k) => k.name)).toEqual([`${created}-r1`]);
    expect((await ts.preview({ expectNoChanges: true })).changeSummary).toEqual({ same: 2 });
    await ts.destroy();
    expect(emu.liveKeys()).toEqual([]);
  });
});
