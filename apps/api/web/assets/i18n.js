/**
 * Every user-visible string of the web pages, in English and Japanese, and the language switch.
 *
 * The language defaults to the browser's (`navigator.language`, BCP 47: any `ja*` tag means Japanese) and a
 * choice made with the switch is remembered in localStorage. Static text is marked up with
 * `data-i18n="key"` (text content) or `data-i18n-attr="attribute:key"`; pages re-render their dynamic parts
 * on the `city:language` event.
 */

const LANGUAGE_KEY = 'city.language';

/** @typedef {'en' | 'ja'} Language */

export const DICTIONARY = {
  en: {
    'app.name': 'City Chain Auth',
    'nav.label': 'Main',
    'nav.skip': 'Skip to content',
    'nav.home': 'Home',
    'nav.register': 'Register',
    'nav.login': 'Log in',
    'nav.devices': 'Devices',
    'language.label': 'Language',
    'status.working': 'Working…',
    'title.index': 'City Chain Auth',
    'title.register': 'Register — City Chain Auth',
    'title.login': 'Log in — City Chain Auth',
    'title.devices': 'Devices — City Chain Auth',
    'title.pair': 'Add this device — City Chain Auth',
    'index.heading': 'City Chain Auth',
    'index.intro':
      'Sign in with your password and a key kept on this device. The key never leaves the browser: it only signs a one-time challenge from the server.',
    'index.register.title': 'Register',
    'index.register.text':
      'Create an account. This browser makes its device key and receives a certificate for it.',
    'index.login.title': 'Log in',
    'index.login.text':
      'Enter your username (or email or uuid) and password; the device key proves it is this device.',
    'index.devices.title': 'Devices',
    'index.devices.text': 'See your devices, add one with a pairing QR code, revoke a lost one.',
    'index.pair.title': 'Add this device',
    'index.pair.text':
      'Already have an account? Enter a pairing token from one of your devices to give this browser its own device key.',
    'register.heading': 'Register',
    'register.intro':
      'A device key is created in this browser (it cannot be exported) and a certificate is issued for it.',
    'register.required': 'Account',
    'register.optional': 'Optional details',
    'field.username': 'Username',
    'field.username.hint': '3–32 characters: a–z, 0–9, dot, underscore, hyphen.',
    'field.email': 'Email',
    'field.password': 'Password',
    'field.password.hint':
      'At least 8 characters; not a common password; not containing your username or email.',
    'field.name': 'Name',
    'field.birth_date': 'Date of birth',
    'field.address': 'Address',
    'field.mynumber': 'My Number (12 digits)',
    'field.phone': 'Phone',
    'field.initial_harmony_token': 'Initial harmony tokens',
    'field.device_label': 'Name of this device',
    'field.identifier': 'Username, email or uuid',
    'field.csr': 'Certificate request',
    'field.pairing_token': 'Pairing token',
    'field.pairing_token.hint': 'The 43-character token, or the whole QR code text (city-auth:pair?…).',
    'field.device_label.optional': 'Optional.',
    'register.submit': 'Register',
    'register.done': 'Registered. Your device certificate was issued.',
    'register.uuid': 'Account uuid',
    'register.deviceId': 'Device id',
    'register.fingerprint': 'Certificate fingerprint (SHA-256)',
    'register.next': 'Continue to log in',
    'register.recovery.heading': 'Your recovery codes: shown only this once',
    'register.recovery.hint':
      'Store them now, offline: copy them into a password manager, or download the file and print it. If you lose every device, one code and your password add a new one (city recover, or POST /recover). Each code works once.',
    'register.recovery.copy': 'Copy the codes',
    'register.recovery.download': 'Download them as a text file',
    'register.recovery.copied': 'Copied.',
    'login.heading': 'Log in',
    'login.submit': 'Log in',
    'login.noKey':
      'This browser has no device key. Register first, or add this browser with a pairing token.',
    'pair.heading': 'Add this device to your account',
    'pair.intro':
      'On a device that is already signed in, open Devices and choose “Pair a new device”. Enter the pairing token shown there (or paste the QR code text) with your username and password. A device key is created in this browser (it cannot be exported) and a certificate is issued for it.',
    'pair.submit': 'Add this device',
    'pair.done': 'This device was added. Its certificate was issued.',
    'pair.tokenMissing': 'This text contains no pairing token.',
    'devices.heading': 'Devices',
    'devices.signedInAs': 'Signed in as {username}',
    'devices.list': 'Your devices',
    'devices.col.device': 'Device',
    'devices.col.status': 'Status',
    'devices.col.created': 'Added',
    'devices.col.fingerprint': 'Fingerprint',
    'devices.col.actions': 'Actions',
    'devices.current': 'this device',
    'devices.status.active': 'active',
    'devices.status.revoked': 'revoked',
    'devices.revokedAt': 'revoked {date}',
    'devices.revoke': 'Revoke',
    'devices.revoke.label': 'Revoke device {device}',
    'devices.revoke.confirm': 'Revoke device {device}? It will no longer be able to log in.',
    'devices.revoke.confirmCurrent': 'Revoke this device? You will be logged out.',
    'devices.revoke.confirmLast':
      'This is your last active device. After revoking it you cannot log in any more: to add a new device you will need one of your recovery codes and your password (city recover), or an enrolment token from the service operator (city admin reset-devices). Revoke it anyway?',
    'devices.revoked': 'Device {device} was revoked.',
    'devices.empty': 'No devices.',
    'devices.pair': 'Pair a new device',
    'devices.pair.heading': 'Pairing code',
    'devices.pair.qr': 'QR code for pairing a new device',
    'devices.pair.token': 'Pairing token',
    'devices.pair.expires': 'Valid until {date}',
    'devices.pair.help':
      'Scan the QR code with the new device, or enter the token there together with your username and password. It can be used once.',
    'devices.pair.open': 'On the new device, open',
    'devices.pair.open.after': 'and enter this token there.',
    'devices.logout': 'Log out',
    'devices.loginRequired': 'Please log in first.',
    'error.heading': 'Something went wrong',
    'form.invalid': 'Please correct the marked fields.',
    'form.required': 'This field is required.',
    'error.code': 'Error code',
    'error.NETWORK_ERROR': 'The server could not be reached. Check your connection and try again.',
    'error.NO_DEVICE_KEY': 'This browser has no device key for this account. Register first.',
    'error.WEBCRYPTO_UNAVAILABLE':
      'This browser cannot create device keys (WebCrypto/IndexedDB unavailable).',
  },
  ja: {
    'app.name': 'City Chain 認証',
    'nav.label': 'メイン',
    'nav.skip': '本文へ移動',
    'nav.home': 'ホーム',
    'nav.register': '新規登録',
    'nav.login': 'ログイン',
    'nav.devices': '端末',
    'language.label': '言語',
    'status.working': '処理中…',
    'title.index': 'City Chain 認証',
    'title.register': '新規登録 — City Chain 認証',
    'title.login': 'ログイン — City Chain 認証',
    'title.devices': '端末 — City Chain 認証',
    'title.pair': 'この端末を追加 — City Chain 認証',
    'index.heading': 'City Chain 認証',
    'index.intro':
      'パスワードと、この端末に保存された鍵でログインします。鍵はブラウザの外に出ず、サーバーから届く一度きりのチャレンジに署名するだけです。',
    'index.register.title': '新規登録',
    'index.register.text': 'アカウントを作成します。このブラウザが端末の鍵を作り、その証明書を受け取ります。',
    'index.login.title': 'ログイン',
    'index.login.text':
      'ユーザー名（またはメールアドレスか UUID）とパスワードを入力します。端末の鍵がこの端末であることを証明します。',
    'index.devices.title': '端末',
    'index.devices.text': '端末の一覧、ペアリング用 QR コードでの端末追加、紛失した端末の失効ができます。',
    'index.pair.title': 'この端末を追加',
    'index.pair.text':
      'アカウントをお持ちの方は、登録済みの端末で発行したペアリングトークンを入力して、このブラウザにも専用の端末の鍵を作成できます。',
    'register.heading': '新規登録',
    'register.intro': 'このブラウザで端末の鍵（書き出しできません）を作成し、その鍵の証明書を発行します。',
    'register.required': 'アカウント',
    'register.optional': '任意の情報',
    'field.username': 'ユーザー名',
    'field.username.hint': '3～32 文字：a–z、0–9、ピリオド、アンダースコア、ハイフン。',
    'field.email': 'メールアドレス',
    'field.password': 'パスワード',
    'field.password.hint':
      '8 文字以上。よく使われるパスワードや、ユーザー名・メールアドレスを含むものは使えません。',
    'field.name': '氏名',
    'field.birth_date': '生年月日',
    'field.address': '住所',
    'field.mynumber': 'マイナンバー（12 桁）',
    'field.phone': '電話番号',
    'field.initial_harmony_token': '初期ハーモニートークン',
    'field.device_label': 'この端末の名前',
    'field.identifier': 'ユーザー名・メールアドレス・UUID',
    'field.csr': '証明書署名要求',
    'field.pairing_token': 'ペアリングトークン',
    'field.pairing_token.hint': '43 文字のトークン、または QR コードの文字列全体（city-auth:pair?…）。',
    'field.device_label.optional': '任意。',
    'register.submit': '登録する',
    'register.done': '登録しました。端末の証明書が発行されました。',
    'register.uuid': 'アカウント UUID',
    'register.deviceId': '端末 ID',
    'register.fingerprint': '証明書のフィンガープリント（SHA-256）',
    'register.next': 'ログインへ進む',
    'register.recovery.heading': 'リカバリーコード（この一度だけ表示されます）',
    'register.recovery.hint':
      '今すぐオフラインで保管してください。パスワードマネージャーにコピーするか、ファイルをダウンロードして印刷してください。すべての端末を失ったときは、コード1つとパスワードで新しい端末を追加できます（city recover または POST /recover）。各コードは1回だけ使えます。',
    'register.recovery.copy': 'コードをコピー',
    'register.recovery.download': 'テキストファイルとしてダウンロード',
    'register.recovery.copied': 'コピーしました。',
    'login.heading': 'ログイン',
    'login.submit': 'ログイン',
    'login.noKey':
      'このブラウザには端末の鍵がありません。先に新規登録するか、ペアリングトークンでこのブラウザを追加してください。',
    'pair.heading': 'この端末をアカウントに追加',
    'pair.intro':
      'ログイン済みの端末で「端末」を開き、「新しい端末をペアリング」を選んでください。表示されたペアリングトークン（または QR コードの文字列）を、ユーザー名・パスワードと一緒に入力します。このブラウザで端末の鍵（書き出しできません）を作成し、その鍵の証明書を発行します。',
    'pair.submit': 'この端末を追加',
    'pair.done': 'この端末を追加しました。証明書が発行されました。',
    'pair.tokenMissing': 'この文字列にはペアリングトークンが含まれていません。',
    'devices.heading': '端末',
    'devices.signedInAs': '{username} としてログイン中',
    'devices.list': 'あなたの端末',
    'devices.col.device': '端末',
    'devices.col.status': '状態',
    'devices.col.created': '追加日',
    'devices.col.fingerprint': 'フィンガープリント',
    'devices.col.actions': '操作',
    'devices.current': 'この端末',
    'devices.status.active': '有効',
    'devices.status.revoked': '失効',
    'devices.revokedAt': '{date} に失効',
    'devices.revoke': '失効させる',
    'devices.revoke.label': '端末 {device} を失効させる',
    'devices.revoke.confirm': '端末 {device} を失効させますか？ この端末ではログインできなくなります。',
    'devices.revoke.confirmCurrent': 'この端末を失効させますか？ ログアウトされます。',
    'devices.revoke.confirmLast':
      'これは最後の有効な端末です。失効させるとログインできなくなります。新しい端末を追加するには、リカバリーコードとパスワード (city recover)、またはサービス運用者が発行する登録トークン (city admin reset-devices) が必要です。それでも失効させますか？',
    'devices.revoked': '端末 {device} を失効させました。',
    'devices.empty': '端末がありません。',
    'devices.pair': '新しい端末をペアリング',
    'devices.pair.heading': 'ペアリングコード',
    'devices.pair.qr': '新しい端末をペアリングするための QR コード',
    'devices.pair.token': 'ペアリングトークン',
    'devices.pair.expires': '有効期限 {date}',
    'devices.pair.help':
      '新しい端末で QR コードを読み取るか、トークンをユーザー名・パスワードと一緒に入力してください。一度だけ使えます。',
    'devices.pair.open': '新しい端末で',
    'devices.pair.open.after': 'を開き、このトークンを入力してください。',
    'devices.logout': 'ログアウト',
    'devices.loginRequired': '先にログインしてください。',
    'error.heading': 'エラーが発生しました',
    'form.invalid': '入力内容を確認してください。',
    'form.required': '必須項目です。',
    'error.code': 'エラーコード',
    'error.NETWORK_ERROR': 'サーバーに接続できませんでした。接続を確認してもう一度お試しください。',
    'error.NO_DEVICE_KEY': 'このブラウザにはこのアカウントの端末の鍵がありません。先に新規登録してください。',
    'error.WEBCRYPTO_UNAVAILABLE':
      'このブラウザでは端末の鍵を作成できません（WebCrypto / IndexedDB が使えません）。',
  },
};

/** @type {readonly Language[]} */
export const LANGUAGES = ['en', 'ja'];

/**
 * The language in use: the remembered choice, else the browser's, else English.
 *
 * @returns {Language}
 */
export function currentLanguage() {
  const stored = localStorage.getItem(LANGUAGE_KEY);
  if (stored === 'en' || stored === 'ja') return stored;
  return (navigator.language ?? '').toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/**
 * The string for `key` in the current language, with `{name}` placeholders filled.
 *
 * @param {string} key
 * @param {Record<string, string>} [params]
 * @returns {string}
 */
export function t(key, params = {}) {
  const language = currentLanguage();
  /** @type {Record<string, string>} */
  const table = DICTIONARY[language];
  /** @type {Record<string, string>} */
  const fallback = DICTIONARY.en;
  const template = table[key] ?? fallback[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => params[name] ?? whole);
}

/**
 * True when `key` has a translation.
 *
 * @param {string} key
 * @returns {boolean}
 */
export function hasTranslation(key) {
  return Object.hasOwn(DICTIONARY.en, key);
}

/**
 * Formats an ISO 8601 time for the current language.
 *
 * @param {string} iso
 * @returns {string}
 */
export function formatDateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(currentLanguage() === 'ja' ? 'ja-JP' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(date);
}

/**
 * Fills every `data-i18n` / `data-i18n-attr` element under `root` and sets `<html lang>`.
 *
 * @param {ParentNode} [root]
 */
export function applyTranslations(root = document) {
  document.documentElement.lang = currentLanguage();
  for (const element of root.querySelectorAll('[data-i18n]')) {
    element.textContent = t(element.getAttribute('data-i18n') ?? '');
  }
  for (const element of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of (element.getAttribute('data-i18n-attr') ?? '').split(';')) {
      const [attribute, key] = pair.split(':');
      if (attribute && key) element.setAttribute(attribute.trim(), t(key.trim()));
    }
  }
}

/**
 * Switches the language, re-translates the page and tells page scripts (`city:language` event).
 *
 * @param {Language} language
 */
export function setLanguage(language) {
  localStorage.setItem(LANGUAGE_KEY, language);
  applyTranslations();
  document.dispatchEvent(new CustomEvent('city:language', { detail: { language } }));
}

/**
 * Translates the page and wires the `<select id="language">` switch.
 */
export function initLanguage() {
  applyTranslations();
  const select = /** @type {HTMLSelectElement | null} */ (document.getElementById('language'));
  if (select === null) return;
  select.value = currentLanguage();
  select.addEventListener('change', () => {
    const value = select.value;
    if (value === 'en' || value === 'ja') setLanguage(value);
  });
}
