"use strict";
// The rotating baseline's provider: no I/O, but the same steps as RotatingApiKey's. Its `check`
// plans the schedule from the same clock (BASETEN_PROVIDER_NOW in the CLI's environment, which
// the provider host inherits), so its stack shows no change before the due date and an update
// per resource after it; its state holds what a RotatingApiKey's holds (the schedule in the
// inputs, `keys[]` with one entry per live key, a secret `apiKey` of a real key's length).
// RotatingApiKey over this is what the provider's code and requests cost, not the engine's steps.
const crypto = require("crypto");

const UNIT_SECONDS = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };
const SCHEDULE = ["generation", "keyName", "rotatedAt", "rotateAfter", "overlapEndsAt", "rotationReason", "rotation"];
const REPLACING = ["type", "modelIds", "teamId", "teamName", "baseName"];
const INPUTS = ["type", "modelIds", "teamId", "teamName", "rotation", "baseName", ...SCHEDULE, "providerVersion"];

function now() {
  const text = process.env.BASETEN_PROVIDER_NOW;
  if (!text) return Date.now();
  return /^\d+$/.test(text) ? Number(text) : Date.parse(text);
}

function ms(duration) {
  let total = 0;
  for (const [, n, unit] of String(duration).matchAll(/(\d+)([wdhms])/g)) total += Number(n) * UNIT_SECONDS[unit];
  return total * 1000;
}

const iso = (t) => new Date(t).toISOString();

function plan(olds, news, t) {
  const every = ms(news.rotation.every);
  if (typeof olds.generation !== "number") {
    const generation = 1;
    return { generation, rotatedAt: iso(t), rotateAfter: iso(t + every), rotationReason: "first key" };
  }
  const due = Date.parse(olds.rotatedAt) + every;
  if (t >= due) {
    return {
      generation: olds.generation + 1,
      rotatedAt: iso(t),
      rotateAfter: iso(t + every),
      overlapEndsAt: iso(t + ms(news.rotation.overlap)),
      rotationReason: `${olds.keyName} reached its rotation age (every ${news.rotation.every}) at ${iso(due)}`,
    };
  }
  const carried = {
    generation: olds.generation,
    rotatedAt: olds.rotatedAt,
    rotateAfter: iso(due),
    rotationReason: olds.rotationReason,
  };
  if (olds.overlapEndsAt && t < Date.parse(olds.overlapEndsAt)) carried.overlapEndsAt = olds.overlapEndsAt;
  return carried;
}

/** One owned key as RotatingApiKey stores it: a key's outputs without the plaintext, stamped. */
function ownedKey(inputs, t) {
  const { type, modelIds, providerVersion, resourceName, nameScope } = inputs;
  return {
    type,
    name: inputs.keyName,
    autoName: false,
    modelIds,
    providerVersion,
    resourceName,
    nameScope,
    prefix: crypto.randomBytes(4).toString("hex"),
    seenBy: "user-0000000000",
    seenInWorkspace: "bench-workspace",
    mintedAfter: t,
    generation: inputs.generation,
    mintedAt: iso(t),
    plannedAt: inputs.rotatedAt,
  };
}

function outputs(inputs, keys) {
  const outs = {};
  for (const k of INPUTS.concat(["resourceName", "nameScope"])) if (inputs[k] !== undefined) outs[k] = inputs[k];
  const previous = keys.find((k) => k.overlapEndsAt !== undefined);
  // As long as the emulator's keys (the ciphertext in state is as long as RotatingApiKey's).
  const apiKey = `${keys[0].prefix}.${crypto.randomBytes(20).toString("hex")}`;
  return {
    ...outs,
    keys,
    prefix: keys[0].prefix,
    apiKey,
    ...(previous ? { previousPrefix: previous.prefix } : {}),
    createdAt: keys[0].mintedAt,
  };
}

module.exports = {
  async check(olds, news) {
    const baseName = olds.baseName || `${news.resourceName}-${crypto.randomBytes(4).toString("hex")}`;
    const schedule = plan(olds, news, now());
    const inputs = { ...news, baseName, ...schedule, keyName: `${baseName}-g${schedule.generation}` };
    return { inputs };
  },
  async diff(_id, olds, news) {
    const differs = (k) => JSON.stringify(olds[k] ?? null) !== JSON.stringify(news[k] ?? null);
    const replaces = REPLACING.filter(differs);
    return { changes: replaces.length > 0 || SCHEDULE.some(differs), replaces, deleteBeforeReplace: false };
  },
  async create(inputs) {
    return { id: `rotating/${inputs.baseName}`, outs: outputs(inputs, [ownedKey(inputs, now())]) };
  },
  async update(_id, olds, news) {
    // No new generation: the overlap ended, the previous key goes (RotatingApiKey revokes it).
    if (news.generation === olds.generation) return { outs: outputs(news, [olds.keys[0]]) };
    // A rotation: the previous key stays, in its overlap, as RotatingApiKey's update keeps it; older ones go.
    const previous = { ...olds.keys[0], overlapEndsAt: news.overlapEndsAt };
    return { outs: outputs(news, [ownedKey(news, now()), previous]) };
  },
  async read(id, props) {
    const inputs = Object.fromEntries(INPUTS.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]));
    return { id, props, inputs };
  },
  async delete() {
    // nothing to revoke
  },
};
