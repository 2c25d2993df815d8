// Icons as inline SVG: no icon font to fetch, and no glyph that a machine's fonts may lack.
import type { ComponentChildren } from 'preact';

interface IconProps {
  size?: number;
}

const common = (size: number) => ({
  width: size,
  height: size,
  'aria-hidden': true as const,
  focusable: 'false',
});

export function Logo({ size = 22 }: IconProps) {
  return (
    <svg {...common(size)} viewBox="0 0 32 32" class="logo">
      <rect width="32" height="32" rx="7" fill="#1f4e8c" />
      <g fill="#fff">
        <rect x="7" y="17" width="4" height="8" rx="1" />
        <rect x="14" y="11" width="4" height="14" rx="1" />
        <rect x="21" y="7" width="4" height="18" rx="1" />
      </g>
    </svg>
  );
}

function Stroke({ size = 16, children }: IconProps & { children: ComponentChildren }) {
  return (
    <svg
      {...common(size)}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      class="icon"
    >
      {children}
    </svg>
  );
}

export const InfoIcon = (p: IconProps) => (
  <Stroke {...p}>
    <circle cx="12" cy="12" r="9" />
    <path d="M12 11v6M12 7.5v.01" />
  </Stroke>
);

export const ReloadIcon = (p: IconProps) => (
  <Stroke {...p}>
    <path d="M20 12a8 8 0 1 1-2.34-5.66" />
    <path d="M20 4v5h-5" />
  </Stroke>
);

export const MenuIcon = (p: IconProps) => (
  <Stroke {...p}>
    <path d="M4 6h16M4 12h16M4 18h16" />
  </Stroke>
);

export const PlayIcon = ({ size = 12 }: IconProps) => (
  <svg {...common(size)} viewBox="0 0 12 12" class="icon">
    <path d="M2 1.5v9l8-4.5z" fill="currentColor" />
  </svg>
);

export const DatabaseIcon = (p: IconProps) => (
  <Stroke {...p}>
    <ellipse cx="12" cy="5.5" rx="7" ry="2.5" />
    <path d="M5 5.5v13c0 1.4 3.1 2.5 7 2.5s7-1.1 7-2.5v-13M5 12c0 1.4 3.1 2.5 7 2.5s7-1.1 7-2.5" />
  </Stroke>
);

export const SchemaIcon = (p: IconProps) => (
  <Stroke {...p}>
    <path d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z" />
  </Stroke>
);
