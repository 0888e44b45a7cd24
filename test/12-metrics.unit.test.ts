/** The figures of the metrics server (given code of chapter 12): CPU rate and working set from the engine's stats. */
import { describe, expect, it } from "vitest";
import { fromEngineStats } from "@tree/12-self-healing/index.ts";

describe("12 chapter > metrics (given)", () => {
  it("CPU is the counter's growth over the window; memory is usage minus inactive file cache (cgroup v1 and v2)", () => {
    const v1 = fromEngineStats({
      read: "2026-01-01T00:00:02.000Z",
      preread: "2026-01-01T00:00:01.000Z",
      cpu_stats: { cpu_usage: { total_usage: 1_750_000_000 } },
      precpu_stats: { cpu_usage: { total_usage: 1_500_000_000 } },
      memory_stats: { usage: 10_000_000, stats: { total_inactive_file: 4_000_000 } },
    });
    // 250 ms of CPU time in one second: a quarter of a core.
    expect(v1).toEqual({
      usageNanoCores: 250_000_000,
      workingSetBytes: 6_000_000,
      time: Date.parse("2026-01-01T00:00:02Z"),
      windowMs: 1000,
    });
    const v2 = fromEngineStats({
      read: "2026-01-01T00:00:02.500Z",
      preread: "2026-01-01T00:00:02.000Z",
      cpu_stats: { cpu_usage: { total_usage: 1_000_000_000 } },
      precpu_stats: { cpu_usage: { total_usage: 500_000_000 } },
      memory_stats: { usage: 3_000_000, stats: { inactive_file: 5_000_000 } },
    });
    expect([v2?.usageNanoCores, v2?.workingSetBytes, v2?.windowMs]).toEqual([1_000_000_000, 0, 500]);
    // The engine's first sample has no earlier one: no rate can be given.
    expect(
      fromEngineStats({
        read: "2026-01-01T00:00:02Z",
        preread: "0001-01-01T00:00:00Z",
        cpu_stats: { cpu_usage: { total_usage: 5 } },
        precpu_stats: {},
      }),
    ).toBeUndefined();
  });
});
