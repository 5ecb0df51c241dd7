import { Text } from 'ink';
import React from 'react';
import type { Line, Tone } from '../format/line.ts';

const COLORS: Record<Tone, string | undefined> = {
  ok: 'green',
  warn: 'yellow',
  bad: 'red',
  dim: 'gray',
  accent: 'cyan',
  title: 'blue',
};

/** One pre-fitted line; Ink sees a single text node with styled children. */
export const StyledLine = React.memo(function StyledLine({ line }: { line: Line }) {
  if (line.length === 1 && !line[0]!.tone && !line[0]!.bold) return <Text>{line[0]!.text}</Text>;
  return (
    <Text>
      {line.map((s, i) =>
        s.tone || s.bold ? (
          <Text key={i} color={s.tone ? COLORS[s.tone] : undefined} bold={s.bold || s.tone === 'title'}>
            {s.text}
          </Text>
        ) : (
          s.text
        ),
      )}
    </Text>
  );
});
