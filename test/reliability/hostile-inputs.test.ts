/**
 * Broken program input: names outside Baseten's alphabet, a 300-character name, 10,000
 * `modelIds`, non-string rotation trigger values. `check` must reject each during
 * `pulumi preview` and `pulumi up`, naming the property and the reason, before anything is
 * sent to Baseten. Through the real engine, with the emulator's request log as the witness.
 */
import type { ApiKeyArgs } from "../../provider";
import { BasetenEmulator } from "../emulator";
import { checkpoint } from "./support/agreement";
import { mark, since } from "./support/requests";
import { ReliabilityStack } from "./support/stack";
import { reliabilitySuite } from "./support/suite";

jest.setTimeout(10 * 60 * 1000);

const SUITE = "hostile-inputs";

/** Label, args, and what the failure must say (property, then reason). */
const BAD_INPUTS: Array<[string, ApiKeyArgs, RegExp]> = [
  ["an uppercase name", { type: "PERSONAL", name: "Prod-Key" }, /name.*may contain only lowercase letters, digits and hyphens/],
  [
    "a name with an underscore",
    { type: "PERSONAL", name: "prod_key" },
    /name.*may contain only lowercase letters, digits and hyphens/,
  ],
  ["a name with a space", { type: "PERSONAL", name: "prod key" }, /name.*may contain only lowercase letters, digits and hyphens/],
  ["a unicode name", { type: "PERSONAL", name: "ключ-🔑" }, /name.*may contain only lowercase letters, digits and hyphens/],
  ["a name with a slash", { type: "PERSONAL", name: "../teams" }, /name.*may contain only lowercase letters, digits and hyphens/],
  ["an empty name", { type: "PERSONAL", name: "" }, /name.*must not be empty/],
  ["a 300-character name", { type: "PERSONAL", name: "a".repeat(300) }, /name.*is 300 characters long; at most 255 are allowed/],
  [
    "10,000 modelIds",
    { type: "WORKSPACE_INVOKE", modelIds: Array.from({ length: 10_000 }, (_, i) => `model-${i}`) },
    /modelIds.*lists 10000 model ids; at most 1000 are allowed/,
  ],
  [
    "a number as a trigger value",
    { type: "PERSONAL", rotationTriggers: { quarter: 2026 as unknown as string } },
    /rotationTriggers\.quarter.*must be a string, got a number/,
  ],
  [
    "a boolean as a trigger value",
    { type: "PERSONAL", rotationTriggers: { rotate: true as unknown as string } },
    /rotationTriggers\.rotate.*must be a string, got a boolean/,
  ],
  [
    "an object as a trigger value",
    { type: "PERSONAL", rotationTriggers: { when: { year: 2026 } as unknown as string } },
    /rotationTriggers\.when.*must be a string, got a object/,
  ],
  [
    "a list as a trigger value",
    { type: "PERSONAL", rotationTriggers: { tags: ["a"] as unknown as string } },
    /rotationTriggers\.tags.*must be a string, got a list/,
  ],
];

const suite = reliabilitySuite(SUITE, { stack: {} });
const { fig } = suite;
let emu: BasetenEmulator;
let stack: ReliabilityStack;
beforeAll(() => ({ emu, stack } = suite));

describe("check rejects broken input before anything reaches Baseten", () => {
  it.each(BAD_INPUTS)("%s: preview fails naming the property and the reason; nothing is sent", async (_label, args, why) => {
    stack.keys = [{ name: "bad", args }];
    const from = mark(emu);
    const preview = await stack.preview();
    expect(preview.ok).toBe(false);
    expect(preview.error?.message).toMatch(why);
    expect(since(emu, from)).toEqual([]);
  });

  it("up of a program holding all of them fails at check and sends nothing", async () => {
    stack.keys = BAD_INPUTS.map(([, args], i) => ({ name: `bad-${i}`, args }));
    const from = mark(emu);
    const up = await stack.up({ continueOnError: true });
    expect(up.ok).toBe(false);
    // The engine stops at the first check failure, whichever input it checked first.
    expect(BAD_INPUTS.some(([, , why]) => why.test(up.error?.message ?? ""))).toBe(true);
    expect(up.error?.message).toMatch(/has a problem/);
    expect(since(emu, from)).toEqual([]);
    const a = await checkpoint(fig, emu, [stack]);
    expect(a.inState).toEqual([]);
    expect(a.live).toEqual([]);
  });

  it("no secret appears in any artifact", async () => {
    await suite.scanArtifacts();
  });
});
