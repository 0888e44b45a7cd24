/**
 * Chapter 07's part of the chapter 04 kubectl: the commands label and
 * annotate, as a plugin (04-kubectl/kubectl/plugin.ts). Whoever runs kubectl
 * passes it in: `run(argv, io, [kubectlPlugin])`.
 */
import type { KubectlPlugin } from "../../04-kubectl/kubectl/plugin.ts";
import { metadataCommand } from "./label.ts";

export const kubectlPlugin: KubectlPlugin = {
  commands: {
    label: {
      summary: "Add, change (--overwrite) or remove (KEY-) labels",
      usage: "label TYPE NAME... | TYPE/NAME... | TYPE -l SELECTOR  KEY=VALUE... KEY-... [--overwrite]",
      run: metadataCommand("labels"),
    },
    annotate: {
      summary: "Add, change (--overwrite) or remove (KEY-) annotations",
      usage: "annotate TYPE NAME... | TYPE/NAME... | TYPE -l SELECTOR  KEY=VALUE... KEY-... [--overwrite]",
      run: metadataCommand("annotations"),
    },
  },
};
