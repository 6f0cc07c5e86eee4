/**
 * The REST reference: Scalar's standalone bundle (served from /assets/vendor) renders the bundled
 * OpenAPI document. Everything that would reach scalar.com is switched off; the page's CSP
 * blocks the rest.
 */
interface ScalarGlobal {
  createApiReference(selector: string, config: Record<string, unknown>): unknown;
}

declare global {
  interface Window {
    Scalar?: ScalarGlobal;
  }
}

// The vendor script is `defer`red and this module runs after it, in document order.
const scalar = window.Scalar;
const target = document.getElementById('reference');
if (!scalar || !target) {
  target?.append(
    Object.assign(document.createElement('p'), { className: 'load-error', textContent: 'The REST reference could not load its renderer.' }),
  );
} else {
  scalar.createApiReference('#reference', {
    url: '/assets/openapi.json',
    // Try-it requests go to the server that serves these docs, not the spec's example host.
    servers: [{ url: location.origin, description: 'This server' }],
    withDefaultFonts: false,
    telemetry: false,
    hideClientButton: true,
    showDeveloperTools: 'never',
    agent: { disabled: true },
    mcp: { disabled: true },
    documentDownloadType: 'none',
    hideDarkModeToggle: true,
    defaultOpenAllTags: true,
    expandAllResponses: false,
  });
}

export {};
