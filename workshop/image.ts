/** `npm run image`: makes sure the test image (busybox) is on the Docker engine, with progress. */
import { connectDocker } from "../shared/docker.ts";
import { ensureTestImage, TEST_IMAGE } from "../shared/test-image.ts";
import { bytes, c, progressLine } from "./ui.ts";

export async function image(): Promise<void> {
  const line = progressLine();
  const source = await ensureTestImage(connectDocker(), (p) => {
    const amount = p.total ? ` ${bytes(p.current ?? 0)} / ${bytes(p.total)}` : "";
    line.update(`${TEST_IMAGE}: ${p.status}${amount}`);
  });
  line.done();
  const how = {
    present: "already present",
    pulled: "pulled from the registry",
    imported: "built from the static busybox binary",
  }[source];
  console.log(`${c.green("ok")} ${TEST_IMAGE}: ${how}`);
}
