// Inputs meant to break out of quoting; shared with the integration test that runs them over SSH.
export const HOSTILE: string[] = [
  `'; rm -rf /`, `$(id)`, '`id`', 'a\nb', `"double"`, `it's`, `''`, '', ' ', 'é ünï 日本 🐘',
  '$HOME', '${PATH}', '\\', '\\\'', 'a;b|c&d>e<f', '*', '~', '-n', '!', '#x', '\t', '%s', 'x\r\ny',
];
