/**
 * The socket protocol: @asyncapi/react-component's standalone bundle (served from /assets/vendor)
 * renders the bundled AsyncAPI document, fetched from this server.
 */
interface AsyncApiGlobal {
  render(props: { schema: { url: string }; config: Record<string, unknown> }, element: HTMLElement): void;
}

declare global {
  interface Window {
    AsyncApiStandalone?: AsyncApiGlobal;
  }
}

const renderer = window.AsyncApiStandalone;
const target = document.getElementById('asyncapi');
if (!renderer || !target) {
  target?.append(
    Object.assign(document.createElement('p'), {
      className: 'load-error',
      textContent: 'The socket reference could not load its renderer.',
    }),
  );
} else {
  renderer.render(
    {
      schema: { url: '/assets/asyncapi.json' },
      config: {
        show: { sidebar: true, info: true, servers: true, operations: true, messages: true, schemas: true, errors: true },
        sidebar: { showOperations: 'byDefault' },
      },
    },
    target,
  );
}

export {};
