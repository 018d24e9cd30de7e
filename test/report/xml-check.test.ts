// The well-formedness checker is only useful if it rejects broken documents.
import { describe, expect, it } from 'vitest';
import { parseXml, textContents } from './xml-check.js';

describe('parseXml (test helper)', () => {
  it('accepts a well-formed document and decodes text', () => {
    const doc = parseXml('<svg a="1" b=\'x &amp; y\'><g><text>a &lt; b &#38; c</text></g><rect/></svg>');
    expect(doc.root.name).toBe('svg');
    expect(doc.root.attrs.b).toBe('x & y');
    expect(textContents(doc)).toEqual(['a < b & c']);
  });

  it.each([
    ['unclosed tag', '<svg><g></svg>'],
    ['crossed tags', '<svg><g><text></g></text></svg>'],
    ['unquoted attribute', '<svg a=1></svg>'],
    ['duplicate attribute', '<svg a="1" a="2"></svg>'],
    ['raw ampersand', '<svg><text>a & b</text></svg>'],
    ['raw < in attribute', '<svg a="<"></svg>'],
    ['two roots', '<svg></svg><svg></svg>'],
    ['stray text', 'x<svg></svg>'],
    ['never closed', '<svg>'],
    ['unknown entity', '<svg>&nbsp;</svg>'],
  ])('rejects %s', (_, source) => {
    expect(() => parseXml(source)).toThrow(/malformed XML/);
  });
});
