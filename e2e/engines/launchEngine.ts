import { launchChromium } from './chromiumSession';
import type { EngineName, EngineSession } from './EngineSession';
import { launchFirefox } from './firefoxSession';
import { launchWebKit } from './webkitSession';

/** Starts `engine` on a profile in `profileDir` (created when missing). */
export function launchEngine(engine: EngineName, profileDir: string): Promise<EngineSession> {
  switch (engine) {
    case 'chromium':
      return launchChromium(profileDir);
    case 'firefox':
      return launchFirefox(profileDir);
    case 'webkit':
      return launchWebKit(profileDir);
  }
}
