import React from 'react';
import { type BoxSpec, drawBox } from '../frame/box.ts';
import { FrameView } from './FrameView.tsx';

export { frameTitle, paneBody } from '../frame/box.ts';

/** One pane on its own (tests and previews); the console composes all panes into one frame. */
export function PaneBox(props: BoxSpec & { color?: boolean }) {
  return <FrameView rows={drawBox(props)} columns={props.width} color={props.color ?? false} />;
}
