import { join, win32 } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultProfileBase, resolveProfileDir } from '../src/profile.js';

describe('defaultProfileBase', () => {
  it('uses XDG_CONFIG_HOME on Linux when it is absolute', () => {
    expect(defaultProfileBase({ XDG_CONFIG_HOME: '/xdg' }, 'linux', '/home/a')).toBe(
      join('/xdg', 'city', 'profiles'),
    );
  });
  it('ignores a relative XDG_CONFIG_HOME (XDG Base Directory spec) and falls back to ~/.config', () => {
    expect(defaultProfileBase({ XDG_CONFIG_HOME: 'rel' }, 'linux', '/home/a')).toBe(
      join('/home/a', '.config', 'city', 'profiles'),
    );
    expect(defaultProfileBase({}, 'freebsd', '/home/a')).toBe(join('/home/a', '.config', 'city', 'profiles'));
  });
  it('uses ~/Library/Application Support on macOS', () => {
    expect(defaultProfileBase({ XDG_CONFIG_HOME: '/xdg' }, 'darwin', '/Users/a')).toBe(
      join('/Users/a', 'Library', 'Application Support', 'city', 'profiles'),
    );
  });
  it('uses %APPDATA% on Windows with backslashes, else AppData\\Roaming', () => {
    expect(defaultProfileBase({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a')).toBe(
      'C:\\Users\\a\\AppData\\Roaming\\city\\profiles',
    );
    expect(defaultProfileBase({}, 'win32', 'C:\\Users\\a')).toBe(
      win32.join('C:\\Users\\a', 'AppData', 'Roaming', 'city', 'profiles'),
    );
  });
});

describe('resolveProfileDir', () => {
  it('selects <base>/<name>, --profile-dir over CITY_PROFILE_DIR, --profile over CITY_PROFILE', () => {
    expect(resolveProfileDir({}, { CITY_PROFILE_DIR: '/p' }, 'linux', '/h')).toBe(join('/p', 'default'));
    expect(
      resolveProfileDir({ profile: 'work' }, { CITY_PROFILE_DIR: '/p', CITY_PROFILE: 'x' }, 'linux', '/h'),
    ).toBe(join('/p', 'work'));
    expect(
      resolveProfileDir({ profileDir: '/q' }, { CITY_PROFILE_DIR: '/p', CITY_PROFILE: 'x' }, 'linux', '/h'),
    ).toBe(join('/q', 'x'));
    expect(resolveProfileDir({}, {}, 'win32', 'C:\\Users\\a')).toBe(
      'C:\\Users\\a\\AppData\\Roaming\\city\\profiles\\default',
    );
  });
  it.each(['..', '.', '../etc', 'a/b', 'a\\b', '', 'x'.repeat(65), '-rf', 'name\u0000'])(
    'refuses the profile name %j (path traversal, separators, option-like)',
    (name) => {
      expect(() => resolveProfileDir({ profile: name }, {}, 'linux', '/h')).toThrow(
        expect.objectContaining({ code: 'USAGE_ERROR' }),
      );
    },
  );
});
