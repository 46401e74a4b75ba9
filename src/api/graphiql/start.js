// Renders GraphiQL against this server's /graphql, subscriptions over its WebSocket. Sign in with
// the `login` mutation, then put `{ "authorization": "Bearer <accessToken>" }` in the Headers tab:
// GraphiQL sends them with queries and in `connection_init` for subscriptions.
(() => {
  const http = `${window.location.origin}/graphql`;
  const ws = `${window.location.protocol === 'https:' ? 'wss:' : 'ws:'}//${window.location.host}/graphql`;
  const fetcher = GraphiQL.createFetcher({ url: http, subscriptionUrl: ws });
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher, shouldPersistHeaders: true }));
})();
