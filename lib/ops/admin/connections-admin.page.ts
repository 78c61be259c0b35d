import { createHash } from 'node:crypto';
import { ADMIN_PAGE_BODY } from './admin-page.markup.js';
import { ADMIN_PAGE_SCRIPT_ACTIONS } from './admin-page-actions.script.js';
import { ADMIN_PAGE_SCRIPT_NET } from './admin-page-net.script.js';
import { ADMIN_PAGE_SCRIPT_RENDER } from './admin-page-render.script.js';
import { ADMIN_PAGE_STYLE } from './admin-page.styles.js';

/*
 * The admin page: one static HTML document with inline CSS and JavaScript, no framework and
 * no external asset, so it works offline and under a strict Content-Security-Policy (the
 * inline blocks are allowed by their hashes). It holds no data: everything comes from the
 * API with the token, and every value is written with textContent, never as HTML.
 *
 * Its parts: the markup (admin-page.markup.ts), the style sheet (admin-page.styles.ts) and a
 * script in three parts run in one scope (network, rendering, actions).
 */

const STYLE = ADMIN_PAGE_STYLE;
const SCRIPT = `\n(function () {\n  'use strict';\n${ADMIN_PAGE_SCRIPT_NET}${ADMIN_PAGE_SCRIPT_RENDER}${ADMIN_PAGE_SCRIPT_ACTIONS}})();\n`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** Only the page's own inline blocks may run, and it may only talk to its own origin. */
export const ADMIN_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page; `write` shows or hides the reset buttons. Nothing else varies, so nothing needs escaping. */
export function renderAdminPage(options: { write: boolean }): string {
  return (
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    '<meta name="referrer" content="no-referrer">\n<title>Connections</title>\n' +
    // An empty icon, so the browser does not ask the app for /favicon.ico.
    '<link rel="icon" href="data:,">\n' +
    `<style>${STYLE}</style>\n</head>\n<body data-write="${options.write ? 'true' : 'false'}">` +
    `${ADMIN_PAGE_BODY}<script>${SCRIPT}</script>\n</body>\n</html>\n`
  );
}
