"use strict";
// The engine-alone baseline's provider: it does no I/O. Like ApiKey's provider, it is the whole
// export of a module in the user's node_modules, so `__provider` captures it by reference: the
// smallest `__provider` a dynamic resource can have. Plain JavaScript because it is copied, as
// is, into the benchmark's user program (bench/noopResource.ts).

/** The inputs whose change would replace an ApiKey; the no-op compares the same ones. */
const COMPARED = ["type", "name", "modelIds", "teamId", "teamName", "rotationTriggers"];

module.exports = {
  async check(_olds, news) {
    return { inputs: news };
  },
  async diff(_id, olds, news) {
    const replaces = COMPARED.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes: replaces.length > 0, replaces };
  },
  async create(inputs) {
    const id = Math.random().toString(36).slice(2, 10);
    return { id, outs: { ...inputs, prefix: id, apiKey: `${id}.not-a-real-key` } };
  },
  async read(id, props) {
    const inputs = { resourceName: props.resourceName };
    for (const k of COMPARED) if (props[k] !== undefined) inputs[k] = props[k];
    return { id, props, inputs };
  },
  async delete() {
    // nothing to revoke
  },
};
