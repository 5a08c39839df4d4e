/** fast-xml-parser in document order (preserveOrder), with helpers to walk the tree by tag name. */
import { XMLParser } from 'fast-xml-parser';

/** One element: `{ tag: children[], ':@': attributes }` or a text node `{ '#text': string }`. */
export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
});

export function parseXml(xml: string): XmlNode[] {
  return parser.parse(xml) as XmlNode[];
}

/** The element's tag name ('#text' for text nodes). */
export function tagOf(node: XmlNode): string {
  for (const key of Object.keys(node)) if (key !== ':@') return key;
  return '';
}

export function childrenOf(node: XmlNode): XmlNode[] {
  const value = node[tagOf(node)];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

export function attr(node: XmlNode, name: string): string | undefined {
  const attrs = node[':@'] as Record<string, unknown> | undefined;
  const v = attrs?.[name];
  return v === undefined ? undefined : String(v);
}

/** Local name without a namespace prefix ("ofd:TextCode" → "TextCode"). */
export function localName(tag: string): string {
  const i = tag.indexOf(':');
  return i === -1 ? tag : tag.slice(i + 1);
}

/** Attribute by local name, whatever its prefix. */
export function attrLocal(node: XmlNode, name: string): string | undefined {
  const attrs = node[':@'] as Record<string, unknown> | undefined;
  if (!attrs) return undefined;
  for (const [k, v] of Object.entries(attrs)) if (localName(k) === name) return String(v);
  return undefined;
}

/** First child with the tag's local name. */
export function child(node: XmlNode, name: string): XmlNode | undefined {
  return childrenOf(node).find((c) => localName(tagOf(c)) === name);
}

/** Every descendant (depth first, document order) with the tag's local name. */
export function descendants(nodes: XmlNode[], name: string, out: XmlNode[] = []): XmlNode[] {
  for (const n of nodes) {
    const tag = tagOf(n);
    if (tag === '#text') continue;
    if (localName(tag) === name) out.push(n);
    descendants(childrenOf(n), name, out);
  }
  return out;
}

/** Concatenated text of the node's text children. */
export function textOf(node: XmlNode): string {
  return childrenOf(node)
    .map((c) => (tagOf(c) === '#text' ? String(c['#text']) : ''))
    .join('');
}
