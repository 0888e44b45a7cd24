/**
 * The kubectl commands of chapter 07, added to the chapter 04 kubectl through
 * its extension point registerCommand(). Importing this file registers them.
 */
import { registerCommand } from "../../04-kubectl/kubectl/main.ts";
import { metadataCommand } from "./label.ts";

registerCommand("label", {
  summary: "Add, change (--overwrite) or remove (KEY-) labels",
  usage: "label TYPE NAME... | TYPE/NAME... | TYPE -l SELECTOR  KEY=VALUE... KEY-... [--overwrite]",
  run: metadataCommand("labels"),
});
registerCommand("annotate", {
  summary: "Add, change (--overwrite) or remove (KEY-) annotations",
  usage: "annotate TYPE NAME... | TYPE/NAME... | TYPE -l SELECTOR  KEY=VALUE... KEY-... [--overwrite]",
  run: metadataCommand("annotations"),
});
