import {
  checkSettings,
  configuredSettingsOf,
  resolveSettings,
  settingsFailures,
  validateApiUrl,
} from "../../provider/core/settings";

const KEY = "fake-management-key-0123456789";

describe("resolveSettings", () => {
  it("prefers stack config over the environment", () => {
    const s = resolveSettings(
      { apiKey: KEY, apiUrl: "https://example.test" },
      { BASETEN_API_KEY: "other-key-from-env", BASETEN_API_URL: "https://env.test" },
    );
    expect(s).toMatchObject({ apiKey: KEY, apiUrl: "https://example.test" });
  });
  it("falls back to BASETEN_API_KEY / BASETEN_API_URL and the default URL", () => {
    expect(resolveSettings({}, { BASETEN_API_KEY: KEY })).toMatchObject({
      apiKey: KEY,
      apiUrl: "https://api.baseten.co",
      timeoutMs: 30000,
      maxRetries: 4,
    });
    expect(resolveSettings({}, { BASETEN_API_KEY: KEY, BASETEN_API_URL: "http://127.0.0.1:9999/" }).apiUrl).toBe(
      "http://127.0.0.1:9999",
    );
  });
  it("names both ways to set a missing key", () => {
    expect(() => resolveSettings({}, {})).toThrow(/pulumi config set --secret baseten:apiKey.*BASETEN_API_KEY/);
  });
  it("rejects an empty key", () => {
    expect(() => resolveSettings({ apiKey: "  " }, {})).toThrow(/empty/);
  });
  it("reads the timeout and retry budget", () => {
    expect(resolveSettings({ apiKey: KEY, timeoutSeconds: "2.5", maxRetries: "0" }, {})).toMatchObject({
      timeoutMs: 2500,
      maxRetries: 0,
    });
    expect(() => resolveSettings({ apiKey: KEY }, { BASETEN_MAX_RETRIES: "lots" })).toThrow(
      /BASETEN_MAX_RETRIES must be a non-negative integer/,
    );
    expect(resolveSettings({ apiKey: KEY }, {})).toMatchObject({ timeoutMs: 30000, maxRetries: 4, retryBudgetMs: 120000 });
    expect(resolveSettings({ apiKey: KEY, retryBudgetSeconds: "5" }, { BASETEN_RETRY_BUDGET_SECONDS: "9" }).retryBudgetMs).toBe(
      5000,
    );
    expect(resolveSettings({ apiKey: KEY }, { BASETEN_RETRY_BUDGET_SECONDS: "0" }).retryBudgetMs).toBe(0);
  });
  it("refuses a timeout of 0, which would mean no time at all, naming the default", () => {
    expect(() => resolveSettings({ apiKey: KEY, timeoutSeconds: "0" }, {})).toThrow(
      /baseten:timeoutSeconds must be greater than 0 .*default is 30/,
    );
  });
});

describe("checkSettings (run by check, so preview reports them)", () => {
  it("reports a plain-http or malformed URL and bad limits without needing the key", () => {
    expect(checkSettings({ apiKey: KEY, apiUrl: "http://api.baseten.co", timeoutSeconds: "0" }, {})).toEqual([
      expect.stringMatching(/baseten:apiUrl uses plain http/),
      expect.stringMatching(/timeoutSeconds must be greater than 0/),
    ]);
    expect(checkSettings({ apiKey: KEY }, { BASETEN_API_URL: "nope" })).toEqual([
      expect.stringMatching(/BASETEN_API_URL is not a URL/),
    ]);
    expect(checkSettings({ apiKey: KEY }, {})).toEqual([]);
  });
  it("reports a missing or blank management key, naming both ways to set it, with every other problem", () => {
    expect(checkSettings({}, {})).toEqual([
      "No Baseten management key is set. Set it with `pulumi config set --secret baseten:apiKey <key>` or the BASETEN_API_KEY environment variable.",
    ]);
    expect(checkSettings({ apiKey: "  " }, { BASETEN_API_KEY: KEY, BASETEN_MAX_RETRIES: "-1" })).toEqual([
      expect.stringMatching(/^The Baseten management key is empty\. Set it with/),
      expect.stringMatching(/BASETEN_MAX_RETRIES must be a non-negative integer/),
    ]);
    expect(checkSettings({}, { BASETEN_API_KEY: KEY })).toEqual([]);
  });
  it("reports each problem as a failure with no property, which the engine prints as the resource's problem", () => {
    expect(settingsFailures({}, {})).toEqual([
      { property: "", reason: expect.stringMatching(/^No Baseten management key is set/) },
    ]);
    expect(settingsFailures({ apiKey: KEY }, {})).toEqual([]);
  });
});

describe("validateApiUrl", () => {
  it.each([
    "http://127.0.0.1:8080",
    "http://localhost:1",
    "http://[::1]:2",
    "https://api.baseten.co",
    "https://gw.example.com/baseten",
  ])("accepts %s", (url) => {
    expect(() => validateApiUrl(url, "baseten:apiUrl")).not.toThrow();
  });
  it.each([
    ["http://api.baseten.co", /plain http/],
    ["http://10.0.0.1", /plain http/],
    ["ftp://x.test", /https/],
    ["not a url", /not a URL/],
    ["https://user:pw@api.baseten.co", /credentials/],
    ["https://api.baseten.co/?team=x", /query string or fragment/],
    ["https://api.baseten.co/#v1", /query string or fragment/],
    ["https://api.baseten.co/v1", /ends with \/v1.*https:\/\/api\.baseten\.co\./],
    ["https://gw.example.com/baseten/v1/", /ends with \/v1.*https:\/\/gw\.example\.com\/baseten\./],
  ])("rejects %s", (url, why) => {
    expect(() => validateApiUrl(url, "baseten:apiUrl")).toThrow(why);
  });
});

describe("configuredSettingsOf (what configure reads from stack config, for ApiKey and Secret alike)", () => {
  it("reads every baseten:* setting, the retry budget included", () => {
    const values: Record<string, unknown> = {
      "baseten:apiKey": KEY,
      "baseten:apiUrl": "https://api.baseten.co",
      "baseten:timeoutSeconds": 5,
      "baseten:maxRetries": "2",
      "baseten:retryBudgetSeconds": "7",
    };
    expect(configuredSettingsOf({ get: (k) => values[k] })).toEqual({
      apiKey: KEY,
      apiUrl: "https://api.baseten.co",
      timeoutSeconds: "5",
      maxRetries: "2",
      retryBudgetSeconds: "7",
    });
  });
});

describe("what a setting's error quotes (issue 15 item 6: no plaintext in errors)", () => {
  const PASTED = "abcdefgh.fakeKeyPastedIntoSetting0123";

  it("quotes no more of a URL than its scheme, host and path: a query may carry a key", () => {
    const problem = checkSettings({ apiKey: KEY, apiUrl: `https://gw.example.com/baseten/?api_key=${PASTED}#frag` }, {});
    expect(problem).toEqual([
      "baseten:apiUrl (https://gw.example.com/baseten/) must not have a query string or fragment (it has a query string and a fragment, not shown); set the API root, e.g. https://api.baseten.co.",
    ]);
    expect(() => resolveSettings({ apiKey: KEY }, { BASETEN_API_URL: `https://api.baseten.co/?key=${PASTED}` })).toThrow(
      /^BASETEN_API_URL \(https:\/\/api\.baseten\.co\/\) must not have a query string or fragment \(it has a query string, not shown\)/,
    );
  });

  it.each([
    [
      "a key pasted into it",
      "maxRetries",
      PASTED,
      `baseten:maxRetries must be a non-negative integer: its value is not a number (${PASTED.length} characters, not shown).`,
    ],
    ["a negative number", "maxRetries", "-12345", "baseten:maxRetries must be a non-negative integer: its value is negative."],
    ["a fraction", "maxRetries", "2.5", "baseten:maxRetries must be a non-negative integer: its value is not a whole number."],
    [
      "an infinite number",
      "retryBudgetSeconds",
      "1e999",
      "baseten:retryBudgetSeconds must be a non-negative number: its value is infinite.",
    ],
    [
      "zero seconds",
      "timeoutSeconds",
      "0",
      expect.stringMatching(/^baseten:timeoutSeconds must be greater than 0 \(.*\); its value is 0\.$/),
    ],
  ])("quotes of a number only the rule it breaks: %s", (_label, setting, raw, message) => {
    expect(checkSettings({ apiKey: KEY, [setting]: raw }, {})).toEqual([message]);
    if (raw.length > 1) expect(checkSettings({ apiKey: KEY, [setting]: raw }, {}).join("")).not.toContain(raw);
  });
});
