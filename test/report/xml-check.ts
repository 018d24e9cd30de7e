// A tiny, strict XML well-formedness checker for the SVG tests (no dependency, no regex):
// balanced and correctly nested tags, quoted and unique attributes, valid entities, a
// single root element. It returns the elements and decoded text so tests can inspect them.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  /** Decoded text directly inside this element. */
  text: string;
  parent: XmlElement | null;
}

export interface XmlDocument {
  root: XmlElement;
  elements: XmlElement[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(source: string): XmlDocument {
  let i = 0;
  const elements: XmlElement[] = [];
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const fail = (msg: string): never => {
    throw new Error(`malformed XML at offset ${i}: ${msg} (near ${JSON.stringify(source.slice(Math.max(0, i - 30), i + 30))})`);
  };
  const isNameChar = (c: string) =>
    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '-' || c === '_' || c === ':' || c === '.';
  const isSpace = (c: string | undefined) => c === ' ' || c === '\n' || c === '\t' || c === '\r';
  const readName = () => {
    const start = i;
    while (i < source.length && isNameChar(source[i]!)) i++;
    if (i === start) fail('expected a name');
    const first = source[start]!;
    if ((first >= '0' && first <= '9') || first === '-' || first === '.') fail('name starts with a bad character');
    return source.slice(start, i);
  };
  const decode = (raw: string): string => {
    let out = '';
    for (let k = 0; k < raw.length; k++) {
      const c = raw[k]!;
      if (c === '<') fail('raw "<" in text or attribute');
      if (c !== '&') {
        out += c;
        continue;
      }
      const end = raw.indexOf(';', k);
      if (end < 0) fail('unterminated entity');
      const entity = raw.slice(k + 1, end);
      if (entity.startsWith('#x')) {
        const hex = entity.slice(2);
        if (hex.length === 0 || ![...hex].every((h) => '0123456789abcdefABCDEF'.includes(h))) fail(`bad entity &${entity};`);
        out += String.fromCodePoint(parseInt(hex, 16));
      } else if (entity.startsWith('#')) {
        const dec = entity.slice(1);
        if (dec.length === 0 || ![...dec].every((h) => h >= '0' && h <= '9')) fail(`bad entity &${entity};`);
        out += String.fromCodePoint(parseInt(dec, 10));
      } else if (entity in ENTITIES) {
        out += ENTITIES[entity];
      } else {
        fail(`unknown entity &${entity};`);
      }
      k = end;
    }
    return out;
  };

  while (i < source.length) {
    if (source[i] !== '<') {
      const next = source.indexOf('<', i);
      const raw = source.slice(i, next < 0 ? source.length : next);
      const text = decode(raw);
      const top = stack[stack.length - 1];
      if (top) top.text += text;
      else if (text.trim() !== '') fail('text outside the root element');
      i = next < 0 ? source.length : next;
      continue;
    }
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
      continue;
    }
    if (source.startsWith('<?xml', i) && i === 0) {
      const end = source.indexOf('?>', i);
      if (end < 0) fail('unterminated declaration');
      i = end + 2;
      continue;
    }
    if (source.startsWith('</', i)) {
      i += 2;
      const name = readName();
      while (isSpace(source[i])) i++;
      if (source[i] !== '>') fail(`expected ">" to close </${name}`);
      i++;
      const open = stack.pop();
      if (!open) fail(`</${name}> without an open element`);
      if (open!.name !== name) fail(`</${name}> closes <${open!.name}>`);
      continue;
    }
    i++;
    const name = readName();
    const element: XmlElement = { name, attrs: {}, text: '', parent: stack[stack.length - 1] ?? null };
    if (stack.length === 0) {
      if (root) fail('a second root element');
      root = element;
    }
    elements.push(element);
    for (;;) {
      const hadSpace = isSpace(source[i]);
      while (isSpace(source[i])) i++;
      if (source.startsWith('/>', i)) {
        i += 2;
        break;
      }
      if (source[i] === '>') {
        i++;
        stack.push(element);
        break;
      }
      if (!hadSpace) fail('attributes must be separated by whitespace');
      const attr = readName();
      if (attr in element.attrs) fail(`duplicate attribute ${attr}`);
      while (isSpace(source[i])) i++;
      if (source[i] !== '=') fail(`attribute ${attr} has no value`);
      i++;
      while (isSpace(source[i])) i++;
      const quote = source[i];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attr} is not quoted`);
      const end = source.indexOf(quote!, i + 1);
      if (end < 0) fail(`unterminated attribute ${attr}`);
      element.attrs[attr] = decode(source.slice(i + 1, end));
      i = end + 1;
    }
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> is never closed`);
  if (!root) fail('no root element');
  return { root: root!, elements };
}

/** All text of the document, element by element, e.g. to look for a title or legend. */
export function textContents(doc: XmlDocument): string[] {
  return doc.elements.map((e) => e.text.trim()).filter((t) => t.length > 0);
}
