import { describe, expect, test } from 'vitest';
import { panelStyle, readPanelSizes } from '../../src/web/panel-sizes.ts';

describe('panel sizes', () => {
  test('stored sizes are read back; anything else in storage is left out', () => {
    expect(readPanelSizes('{"files":300,"side":520.5,"log":260,"schema":40}')).toEqual({
      files: 300,
      side: 520.5,
      log: 260,
      schema: 40,
    });
    expect(readPanelSizes(null)).toEqual({});
    expect(readPanelSizes('not json')).toEqual({});
    expect(readPanelSizes('[1,2]')).toEqual({});
    expect(readPanelSizes('{"files":"300","side":-4,"log":null,"schema":1e999,"other":5}')).toEqual({});
  });

  test('the stylesheet gets variables only for the sizes set, widths capped by the window', () => {
    expect(panelStyle({})).toEqual({});
    expect(panelStyle({ files: 300, side: 520, log: 260, schema: 40 })).toEqual({
      '--files-width': 'min(300px, 30vw)',
      '--side-width': 'max(260px, min(520px, 100vw - var(--files-width, 240px) - 30.5rem))',
      '--log-height': 'min(260px, 70vh)',
      '--schema-share': '40',
    });
  });
});
