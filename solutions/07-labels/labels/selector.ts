/**
 * Label selectors: "which objects do you mean?"
 *
 * Labels are key/value pairs on an object's metadata (app=web, tier=frontend).
 * A selector is a list of requirements, separated by commas, that must ALL
 * hold (a comma means AND; there is no OR):
 *
 *   app=web            the label app has the value web ("==" means the same)
 *   app!=web           app is absent, or has another value
 *   tier in (a, b)     tier is present and is a or b
 *   tier notin (a, b)  tier is absent, or is neither a nor b
 *   canary             the label canary is present, whatever its value
 *   !canary            the label canary is absent
 *
 * The empty selector has no requirement, so it matches every object.
 *
 * The grammar, read by a small recursive-descent parser over the tokens of
 * lexer.ts:
 *
 *   selector    := <empty> | requirement ( "," requirement )*
 *   requirement := "!" key
 *                | key
 *                | key ( "=" | "==" | "!=" ) value
 *                | key ( "in" | "notin" ) "(" value ( "," value )* ")"
 *
 * Keys are "qualified names": an optional DNS-subdomain prefix and a slash,
 * then a name of at most 63 characters (example.com/app). Values are at most
 * 63 characters and may be empty (app= selects objects whose app label is "").
 */
import { validateLabelValue, validateQualifiedName } from "../../../shared/api/validation.ts";
import { SelectorError, tokenize, type Token } from "./lexer.ts";

export { SelectorError } from "./lexer.ts";

/** The operators of a requirement, named as Kubernetes names them. */
export type Operator = "Equals" | "NotEquals" | "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface Requirement {
  key: string;
  operator: Operator;
  /** One value for Equals/NotEquals, one or more for In/NotIn, none for Exists/DoesNotExist. */
  values: string[];
}

export type Labels = Record<string, string>;

/** A parsed selector: requirements that must all match. */
export class LabelSelector {
  constructor(readonly requirements: readonly Requirement[]) {}

  /** True for the empty selector, which matches everything. */
  get empty(): boolean {
    return this.requirements.length === 0;
  }

  /** Does an object with these labels satisfy every requirement? */
  matches(labels: Labels | undefined): boolean {
    return this.requirements.every((r) => requirementMatches(r, labels ?? {}));
  }

  /** The selector written back in its canonical form: "app=web,tier in (a,b)". */
  toString(): string {
    return this.requirements.map(formatRequirement).join(",");
  }
}

/** Parses a selector; throws SelectorError pointing at the first bad part. */
export function parseSelector(selector: string): LabelSelector {
  return new LabelSelector(new Parser(selector).parse());
}

/**
 * The selector that matches exactly these labels: {app: "web", tier: "db"}
 * selects app=web,tier=db. Replication controllers (chapter 08) and Services
 * (chapter 10) hold their selector as such a map.
 */
export function selectorFromSet(labels: Labels): LabelSelector {
  return new LabelSelector(
    Object.keys(labels)
      .sort()
      .map((key) => ({ key, operator: "Equals" as const, values: [labels[key]!] })),
  );
}

/** Does one requirement hold for these labels? */
export function requirementMatches(requirement: Requirement, labels: Labels): boolean {
  // STEP(07.3): does one requirement hold for these labels? A missing key
  // satisfies only NotEquals, NotIn and DoesNotExist. A label named
  // "constructor" must not find Object.prototype's. Tests: "07.3 matching > ...".
  //#solution
  const has = Object.hasOwn(labels, requirement.key);
  const value = has ? labels[requirement.key]! : undefined;
  switch (requirement.operator) {
    case "Equals":
    case "In":
      return has && requirement.values.includes(value!);
    case "NotEquals":
    case "NotIn":
      return !has || !requirement.values.includes(value!);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
  }
  //#end
}

function formatRequirement(r: Requirement): string {
  switch (r.operator) {
    case "Equals":
      return `${r.key}=${r.values[0]}`;
    case "NotEquals":
      return `${r.key}!=${r.values[0]}`;
    case "In":
      return `${r.key} in (${r.values.join(",")})`;
    case "NotIn":
      return `${r.key} notin (${r.values.join(",")})`;
    case "Exists":
      return r.key;
    case "DoesNotExist":
      return `!${r.key}`;
  }
}

/** How a token reads in an error message. */
function describeToken(token: Token): string {
  return token.kind === "end" ? "the end of the selector" : `"${token.text}"`;
}

/** A recursive-descent parser: one method per rule of the grammar above. */
class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly selector: string) {
    this.tokens = tokenize(selector);
  }

  /** The next token, without consuming it. */
  private peek(): Token {
    return this.tokens[this.index]!;
  }

  /** Consumes and returns the next token. */
  private next(): Token {
    const token = this.tokens[this.index]!;
    if (token.kind !== "end") this.index++;
    return token;
  }

  /** Throws the error for an unexpected token: what was found, what was expected, where. */
  private fail(token: Token, expected: string): never {
    throw new SelectorError(`found ${describeToken(token)}, expected ${expected}`, this.selector, token.position);
  }

  /** selector := <empty> | requirement ( "," requirement )* */
  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    // STEP(07.2): requirements separated by ",". An empty selector has none.
    // An error points at the first token that does not fit, saying what was
    // expected there ("app=web db" points at "db"). Tests: "07.2 the parser > ...".
    //#solution
    if (this.peek().kind === "end") return requirements;
    for (;;) {
      requirements.push(this.parseRequirement());
      const token = this.next();
      if (token.kind === "end") return requirements;
      if (token.kind !== ",") this.fail(token, `"," or the end of the selector`);
    }
    //#end
  }

  /** requirement := "!" key | key [ operator ... ] */
  private parseRequirement(): Requirement {
    // STEP(07.2): one requirement: "!key", "key", "key=v", "key==v", "key!=v",
    // "key in (...)", "key notin (...)". Use this.fail() for anything else; a key
    // followed by a token that starts none of these expects "an operator"
    // ("app web": found "web", expected an operator...).
    //#solution
    if (this.peek().kind === "!") {
      this.next();
      return { key: this.parseKey(), operator: "DoesNotExist", values: [] };
    }
    const key = this.parseKey();
    const token = this.peek();
    switch (token.kind) {
      case ",":
      case "end":
        return { key, operator: "Exists", values: [] };
      case "=":
      case "==":
        this.next();
        return { key, operator: "Equals", values: [this.parseValue()] };
      case "!=":
        this.next();
        return { key, operator: "NotEquals", values: [this.parseValue()] };
      case "identifier":
        if (token.text === "in" || token.text === "notin") {
          this.next();
          return { key, operator: token.text === "in" ? "In" : "NotIn", values: this.parseValueSet(token) };
        }
    }
    this.fail(token, "an operator (=, ==, !=, in, notin)");
    //#end
  }

  /** "(" value ( "," value )* ")": at least one value. `operator` is the in/notin token, for errors. */
  private parseValueSet(operator: Token): string[] {
    const open = this.next();
    if (open.kind !== "(") this.fail(open, `"(" after "${operator.text}"`);
    // STEP(07.2): the values of "in" and "notin", up to ")". At least one value:
    // "a in ()" is a SelectorError at the "(" that says "in" needs at least one value.
    //#solution
    if (this.peek().kind === ")") {
      throw new SelectorError(
        `"${operator.text}" needs at least one value between the parentheses`,
        this.selector,
        open.position,
      );
    }
    const values: string[] = [];
    for (;;) {
      values.push(this.parseValue());
      const token = this.next();
      if (token.kind === ")") return values;
      if (token.kind !== ",") this.fail(token, `"," or ")"`);
    }
    //#end
  }

  /** A label key: an identifier that is a qualified name. */
  private parseKey(): string {
    const token = this.next();
    if (token.kind !== "identifier") this.fail(token, "a label key");
    const problems = validateQualifiedName(token.text);
    if (problems.length > 0) {
      throw new SelectorError(`invalid label key "${token.text}": ${problems.join("; ")}`, this.selector, token.position);
    }
    return token.text;
  }

  /**
   * A label value: an identifier, or nothing at all (the empty value) when
   * the next token ends the value ("app=" or "app in (a,)").
   */
  private parseValue(): string {
    const token = this.peek();
    if (token.kind === "," || token.kind === ")" || token.kind === "end") return "";
    this.next();
    if (token.kind !== "identifier") this.fail(token, "a label value");
    const problems = validateLabelValue(token.text);
    if (problems.length > 0) {
      const shown = token.text.length > 70 ? `${token.text.slice(0, 63)}...` : token.text;
      throw new SelectorError(`invalid label value "${shown}": ${problems.join("; ")}`, this.selector, token.position);
    }
    return token.text;
  }
}
