/**
 * The sentences of `npm run hint` and of the "Next:" block of `npm run check`,
 * in each language. Commands, step ids, file paths and test names stay as
 * they are in every language: the learner types or searches for them.
 * Colours are added by the caller, around the arguments it passes in.
 */
import type { Language } from "./language.ts";

export interface Messages {
  // npm run hint
  hintTitle(step: string, title: string): string;
  hintOf(i: number, n: number): string;
  hintAgain(command: string): string;
  hintLast(step: string, solve: string): string;
  hintsReset(step: string): string;
  noHints(step: string, lesson: string, chapter: string): string;
  noHintsFile(chapter: string, file: string): string;
  // npm run check NN.k
  stepFailed(step: string, title: string | undefined, passed: number, total: number): string;
  stepPassed(step: string, title: string | undefined, passed: number): string;
  nextStep(step: string, title: string | undefined, command: string): string;
  lastStep(chapter: string, command: string): string;
  noOwnTests(step: string, chapter: string, command: string): string;
  // npm run check NN
  chaptersPassed(first: string, last: string): string;
  nextChapter(lesson: string, command: string): string;
  waitsFor(count: number, steps: string, later: string): string;
  mayWaitFor(count: number, steps: string, later: string): string;
  next: string;
  nextBecause(step: string, title: string | undefined, earliest: boolean): string;
  startWith(test: string, file: string): string;
  code(where: string, todoLeft: boolean): string;
  lesson(file: string, step: string): string;
  stuck(command: string): string;
  rerun(command: string): string;
  laterFailures(steps: string): string;
  allTodosWritten(chapter: string): string;
  compareWithLesson(test: string, file: string): string;
  moreDetail(command: string): string;
}

const titled = (step: string, title: string | undefined) => (title ? `${step} (${title})` : step);
const titledZh = (step: string, title: string | undefined) => (title ? `${step}（${title}）` : step);

const en: Messages = {
  hintTitle: (step, title) => `Step ${step}: ${title}`,
  hintOf: (i, n) => `Hint ${i} of ${n}`,
  hintAgain: (command) => `Run \`${command}\` again for the next hint.`,
  hintLast: (step, solve) =>
    `That was the last hint for ${step}. Still stuck? \`${solve}\` copies the reference (your files are backed up first).`,
  hintsReset: (step) => `Hints for ${step} start from the first one again.`,
  noHints: (step, lesson, chapter) => `no hints for step ${step}: see ${lesson} for the steps of chapter ${chapter}`,
  noHintsFile: (chapter, file) => `chapter ${chapter} has no hints file (${file})`,
  stepFailed: (step, title, passed, total) => `Step ${titled(step, title)}: ${passed} of ${total} tests pass.`,
  stepPassed: (step, title, passed) => `Step ${titled(step, title)}: all ${passed} tests pass.`,
  nextStep: (step, title, command) => `Next: step ${titled(step, title)}: ${command}`,
  lastStep: (chapter, command) => `That was the last step of chapter ${chapter}. Next: the whole chapter, ${command}`,
  noOwnTests: (step, chapter, command) =>
    `Step ${step} has no test of its own: the chapter's tests ("${chapter} chapter > ...") check it. Run ${command}.`,
  chaptersPassed: (first, last) => `All tests of chapters ${first}-${last} pass.`,
  nextChapter: (lesson, command) => `Next: ${lesson}, then ${command}`,
  waitsFor: (count, steps, later) =>
    `  ${count} test(s) of step ${steps} wait for step ${later}: they ran into its todo(), so they pass once ${later} is written.`,
  mayWaitFor: (count, steps, later) =>
    `  ${count} test(s) of step ${steps} may wait for step ${later}: they failed without an error of their own, and the run reached ${later}'s todo() (a component caught it). Write the steps up to ${later}, then check again.`,
  next: "Next:",
  nextBecause: (step, title, earliest) =>
    ` step ${titled(step, title)}, ${earliest ? "the earliest step with a failure" : "the next step whose TODO is still there"}.`,
  startWith: (test, file) => `  start with: "${test}" (${file})`,
  code: (where, todoLeft) => `  code:   ${where}${todoLeft ? " (its TODO is still there)" : ""}`,
  lesson: (file, step) => `  lesson: ${file}, "Step ${step}"`,
  stuck: (command) => `  stuck?  ${command}`,
  rerun: (command) => `  rerun only this step: ${command}`,
  laterFailures: (steps) => `  Later failures (${steps}) may follow from this one: fix it first, then check again.`,
  allTodosWritten: (chapter) => ` every TODO of chapter ${chapter} is written, but tests still fail.`,
  compareWithLesson: (test, file) => `  Start with "${test}" (${file}) and compare with the lesson.`,
  moreDetail: (command) => `  More detail: ${command}`,
};

const zhCN: Messages = {
  hintTitle: (step, title) => `Step ${step}：${title}`,
  hintOf: (i, n) => `提示 ${i}/${n}`,
  hintAgain: (command) => `再运行一次 \`${command}\`，看下一条提示。`,
  hintLast: (step, solve) => `这是 ${step} 的最后一条提示。还是卡住了？\`${solve}\` 会复制参考答案（先备份你的文件）。`,
  hintsReset: (step) => `${step} 的提示重新从第一条开始。`,
  noHints: (step, lesson, chapter) => `步骤 ${step} 没有提示：第 ${chapter} 章的步骤见 ${lesson}`,
  noHintsFile: (chapter, file) => `第 ${chapter} 章没有提示文件（${file}）`,
  stepFailed: (step, title, passed, total) => `Step ${titledZh(step, title)}：${total} 个测试中通过了 ${passed} 个。`,
  stepPassed: (step, title, passed) => `Step ${titledZh(step, title)}：${passed} 个测试全部通过。`,
  nextStep: (step, title, command) => `下一步：Step ${titledZh(step, title)}：${command}`,
  lastStep: (chapter, command) => `这是第 ${chapter} 章的最后一步。下一步：检查整章，${command}`,
  noOwnTests: (step, chapter, command) =>
    `Step ${step} 没有自己的测试：它由整章的测试（"${chapter} chapter > ..."）检查。请运行 ${command}。`,
  chaptersPassed: (first, last) => `第 ${first}-${last} 章的测试全部通过。`,
  nextChapter: (lesson, command) => `下一步：先读 ${lesson}，再运行 ${command}`,
  waitsFor: (count, steps, later) =>
    `  步骤 ${steps} 的 ${count} 个测试在等步骤 ${later}：它们执行到了 ${later} 的 todo()，写完 ${later} 后就会通过。`,
  mayWaitFor: (count, steps, later) =>
    `  步骤 ${steps} 的 ${count} 个测试可能在等步骤 ${later}：它们失败时没有自己的错误，而这次运行执行到了 ${later} 的 todo()（被某个组件捕获了）。先写完到 ${later} 为止的步骤，再检查一次。`,
  next: "下一步：",
  nextBecause: (step, title, earliest) =>
    ` Step ${titledZh(step, title)}，${earliest ? "这是最早出现失败的步骤" : "这是下一个还留着 TODO 的步骤"}。`,
  startWith: (test, file) => `  先看这个测试："${test}"（${file}）`,
  code: (where, todoLeft) => `  代码：${where}${todoLeft ? "（TODO 还在）" : ""}`,
  lesson: (file, step) => `  课程：${file}，"Step ${step}" 一节`,
  stuck: (command) => `  卡住了？${command}`,
  rerun: (command) => `  只重跑这一步：${command}`,
  laterFailures: (steps) => `  后面的失败（${steps}）可能是这一个引起的：先修好它，再检查一次。`,
  allTodosWritten: (chapter) => ` 第 ${chapter} 章的 TODO 都写完了，但还有测试失败。`,
  compareWithLesson: (test, file) => `  先看 "${test}"（${file}），再对照课程。`,
  moreDetail: (command) => `  更多细节：${command}`,
};

const CATALOGUE: Record<Language, Messages> = { en, "zh-CN": zhCN };

export function messages(language: Language): Messages {
  return CATALOGUE[language];
}
