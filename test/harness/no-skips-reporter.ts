/**
 * Under CI=true, a skipped test is a failure: CI must run the Docker, etcd and
 * kubectl tests, not skip them because something was not installed.
 * (vitest.config.ts adds this reporter only when CI=true.)
 */
import type { Reporter, TestModule } from "vitest/node";

export default class NoSkipsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        if (test.result().state === "skipped")
          skipped.push(`${module.moduleId.replace(`${process.cwd()}/`, "")} > ${test.fullName}`);
      }
    }
    if (skipped.length === 0) return;
    console.error(`\nCI=true: ${skipped.length} test(s) were skipped, and CI must run them all:`);
    for (const name of skipped.slice(0, 20)) console.error(`  skipped: ${name}`);
    process.exitCode = 1;
  }
}
