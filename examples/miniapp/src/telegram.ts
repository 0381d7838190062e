/**
 * Telegram's WebApp object, when the page runs as a Mini App (the host loads
 * telegram-web-app.js); a plain browser has none and the page works the same.
 */
export interface TelegramWebApp {
  ready(): void
  expand?(): void
  colorScheme?: 'light' | 'dark'
  themeParams?: Record<string, string | undefined>
}

declare global {
  interface Window {
    Telegram?: { WebApp?: TelegramWebApp }
  }
}

/** Tells Telegram the page is ready and takes its theme colours into the page's CSS variables. */
export function joinTelegram(win: Window): TelegramWebApp | undefined {
  const app = win.Telegram?.WebApp
  if (app === undefined) return undefined
  app.ready()
  app.expand?.()
  const style = win.document.documentElement.style
  for (const [name, value] of Object.entries(app.themeParams ?? {}))
    if (value !== undefined) style.setProperty(`--tg-theme-${name.replaceAll('_', '-')}`, value)
  return app
}
