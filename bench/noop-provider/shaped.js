"use strict";
// The same-shape baseline's provider: no I/O, like index.js, but its resources store what an
// ApiKey's state entry holds (bench/noopResource.ts `noopShapedKeyClass`): the inputs `check`
// adds (a generated `name`, `autoName`), a secret `apiKey` of a real key's length and
// `mintedAfter`. Its own module, so `__provider` is a `require` of it, as small as ApiKey's.
const crypto = require("crypto");
const narrow = require("./index.js");

/** The outputs an ApiKey adds to its inputs; `read` leaves them out of the inputs it returns. */
const OUTPUT_ONLY = ["prefix", "apiKey", "mintedAfter", "__provider"];

module.exports = {
  async check(olds, news) {
    if (news.name !== undefined) return { inputs: { ...news, autoName: false } };
    const name =
      olds.autoName === true && olds.name ? olds.name : `${news.resourceName}-${crypto.randomBytes(4).toString("hex")}`;
    return { inputs: { ...news, name, autoName: true } };
  },
  diff: narrow.diff,
  async create(inputs) {
    const id = crypto.randomBytes(4).toString("hex");
    // As long as the emulator's keys (the ciphertext in state is 199 bytes for both).
    const apiKey = `${id}.${crypto.randomBytes(20).toString("hex")}`;
    return { id, outs: { ...inputs, prefix: id, apiKey, mintedAfter: Date.now() } };
  },
  async read(id, props) {
    const inputs = Object.fromEntries(Object.entries(props).filter(([k]) => !OUTPUT_ONLY.includes(k)));
    return { id, props, inputs };
  },
  async delete() {
    // nothing to revoke
  },
};
