import type { FastifyReply } from 'fastify';
import { escapeHtml } from '../notifications/email/templates.ts';

/**
 * The small HTML page a link from an e-mail opens (unsubscribe, verify the address, reset the
 * password): no script, forms posting only here, and since the link's token is in the URL, no
 * referrer carries it elsewhere and no cache keeps the page. `content` is HTML the caller escaped.
 */
export function linkPage(reply: FastifyReply, status: number, title: string, content: string) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    )
    .send(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;max-width:560px;margin:48px auto;padding:0 16px;color:#111">
<h1 style="font-size:22px">${escapeHtml(title)}</h1>
${content}
</body>
</html>
`);
}
