import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Attest", template: "%s · Attest" },
  description: "Identity-graph governance for humans, service accounts, AI agents and MCP servers",
  // Files in public/ (drawn by scripts/icons.ts from public/icon.svg); /favicon.ico is app/favicon.ico. proxy.ts lets
  // them through without a session: browsers fetch them without cookies.
  manifest: "/manifest.webmanifest",
  icons: { icon: [{ url: "/icon.svg", type: "image/svg+xml" }], apple: [{ url: "/apple-touch-icon.png", sizes: "180x180" }] },
  appleWebApp: { title: "Attest", statusBarStyle: "default" },
};

/** The browser chrome around the app takes the sidebar's colour (the manifest's theme_color). */
export const viewport: Viewport = { themeColor: "#101828" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
