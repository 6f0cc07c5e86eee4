/** The quotes `quote` answers from: shipped with the server, so it needs no network. */
export const quotes: readonly { text: string; author: string }[] = [
  { text: 'Simplicity is prerequisite for reliability.', author: 'Edsger W. Dijkstra' },
  { text: 'Premature optimization is the root of all evil.', author: 'Donald Knuth' },
  { text: 'The most important property of a program is whether it accomplishes the intention of its user.', author: 'C.A.R. Hoare' },
  { text: 'Make it work, make it right, make it fast.', author: 'Kent Beck' },
  { text: 'Programs must be written for people to read, and only incidentally for machines to execute.', author: 'Harold Abelson' },
  { text: 'Controlling complexity is the essence of computer programming.', author: 'Brian Kernighan' },
  {
    text: 'There are two ways of constructing a software design: make it so simple that there are obviously no deficiencies, or so complicated that there are no obvious deficiencies.',
    author: 'C.A.R. Hoare',
  },
  {
    text: 'Any fool can write code that a computer can understand. Good programmers write code that humans can understand.',
    author: 'Martin Fowler',
  },
  {
    text: 'Data dominates. If you have chosen the right data structures, the algorithms will almost always be self-evident.',
    author: 'Rob Pike',
  },
  { text: 'Deleted code is debugged code.', author: 'Jeff Sickel' },
];

/** The jokes `joke` answers from. */
export const jokes: readonly { setup: string; punchline: string }[] = [
  { setup: 'Why do programmers prefer dark mode?', punchline: 'Because light attracts bugs.' },
  { setup: 'How many programmers does it take to change a light bulb?', punchline: "None. It's a hardware problem." },
  { setup: 'Why did the WebSocket break up with the HTTP request?', punchline: 'It wanted a lasting connection.' },
  { setup: 'What is a programmer’s favourite hangout place?', punchline: 'Foo bar.' },
  { setup: 'Why was the JavaScript developer sad?', punchline: "Because he didn't Node how to Express himself." },
  { setup: 'Why do Java developers wear glasses?', punchline: "Because they don't C#." },
  { setup: 'What did the router say to the doctor?', punchline: 'It hurts when IP.' },
  { setup: 'Why did the database administrator leave his wife?', punchline: 'She had one-to-many relationships.' },
];
