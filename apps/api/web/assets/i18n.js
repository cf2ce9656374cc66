/**
 * Every user-visible string of the web pages, in English and Japanese, and the language switch.
 *
 * The server sends each page already translated, in the language of the `city_language` cookie or else of the
 * browser's Accept-Language; the scripts keep to that language unless the user picks another with the switch,
 * which sets the cookie (and localStorage) so the next page arrives in it. Static text is marked up with
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
    'nav.pair': 'Add this device',
    'language.label': 'Language',
    'status.working': 'Working…',
    'title.index': 'City Chain Auth',
    'title.register': 'Register — City Chain Auth',
    'title.login': 'Log in — City Chain Auth',
    'title.devices': 'Devices — City Chain Auth',
    'title.pair': 'Add this device — City Chain Auth',
    'title.notFound': 'Page not found — City Chain Auth',
    'notFound.heading': 'Page not found',
    'notFound.text': 'There is no page at this address. It may have moved, or the link may be mistyped.',
    'notFound.home': 'Go to the start page',
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
      'Store them now, offline: copy them into a password manager, or download the file and print it. If you lose every device, one code and your password add a new one (with the city command-line tool: city recover). Each code works once.',
    'register.recovery.copy': 'Copy the codes',
    'register.recovery.download': 'Download them as a text file',
    'register.recovery.copied': 'Copied.',
    'login.heading': 'Log in',
    'login.submit': 'Log in',
    'login.noKey':
      'This browser has no device key for this account. Add this browser from a device you already use: open Devices there, choose “Pair a new device” and scan the code or open its link here.',
    'login.pairLink': 'Add this browser to your account',
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
    'error.generic':
      'Something went wrong. Please try again; if it keeps happening, contact the service operator.',
    'error.VALIDATION_FAILED': 'Please correct the marked fields.',
    'error.USERNAME_TAKEN':
      'This username is already registered. Choose another one, or log in if it is yours.',
    'error.EMAIL_TAKEN':
      'This email address is already registered. Use another one, or log in if the account is yours.',
    'error.MYNUMBER_TAKEN': 'This My Number is already registered to another account.',
    'error.INVALID_CREDENTIALS':
      'The username, password or pairing code is not correct, or this device is not accepted. Check them and try again.',
    'error.ACCOUNT_LOCKED': 'Too many failed logins for this account. Wait a while and try again.',
    'error.TOO_MANY_ATTEMPTS': 'Too many failed attempts from this network. Wait a while and try again.',
    'error.PROOF_MODE_DISABLED': 'This way of proving your device is not enabled on this service.',
    'error.CHALLENGE_INVALID': 'The login took too long or was already used. Please try again.',
    'error.CLIENT_CERTIFICATE_REQUIRED':
      'This service needs this device’s certificate, but the browser did not present it.',
    'error.AUTHENTICATION_REQUIRED': 'Please log in first.',
    'error.TOKEN_INVALID': 'Your session is not valid any more. Please log in again.',
    'error.TOKEN_EXPIRED': 'Your session has expired. Please log in again.',
    'error.TOKEN_REVOKED': 'Your session was ended. Please log in again.',
    'error.REFRESH_TOKEN_REUSED':
      'Your session was ended for safety because it was used twice. Please log in again.',
    'error.PAIRING_CREDENTIALS_REQUIRED': 'Enter your username and password together with the pairing code.',
    'error.PAIRING_TOKEN_INVALID':
      'This pairing code is not valid. Create a new one on a device you already use.',
    'error.PAIRING_TOKEN_EXPIRED':
      'This pairing code has expired. Create a new one on a device you already use.',
    'error.PAIRING_TOKEN_USED':
      'This pairing code was already used. Create a new one on a device you already use.',
    'error.DEVICE_NOT_FOUND': 'This device was not found in your account.',
    'error.LAST_DEVICE_CONFIRMATION_REQUIRED':
      'This is your last active device: after revoking it you cannot log in. Confirm to revoke it anyway.',
    'error.CERTIFICATE_REQUEST_INVALID':
      'This browser’s certificate request was not accepted. Please try again.',
    'error.KEY_ALGORITHM_UNSUPPORTED': 'This browser’s kind of device key is not supported by the service.',
    'error.USER_NOT_FOUND': 'No such account.',
    'error.FORBIDDEN': 'You do not have permission to do this.',
    'error.CONCURRENT_UPDATE': 'Something else changed this at the same time. Please try again.',
    'error.SERVICE_CLIENT_INVALID': 'The service credentials are not correct.',
    'error.SERVICE_CLIENT_EXISTS': 'A service with this name is already registered.',
    'error.SERVICE_CLIENT_NOT_FOUND': 'No such service is registered.',
    'error.SERVICE_CLIENTS_UNSUPPORTED': 'This service does not keep registered services.',
    'error.STORE_UNAVAILABLE': 'The service is temporarily unavailable. Please try again in a moment.',
    'error.BAD_REQUEST': 'The service could not understand the request. Reload the page and try again.',
    'error.HEADERS_TOO_LARGE': 'The request was too large. Reload the page and try again.',
    'error.NOT_FOUND': 'This was not found.',
    'error.CONFLICT': 'This conflicts with a change made meanwhile. Please try again.',
    'error.METHOD_NOT_ALLOWED': 'This action is not possible here. Reload the page and try again.',
    'error.BODY_TOO_LARGE': 'What you entered is too long.',
    'error.UNSUPPORTED_MEDIA_TYPE':
      'The service could not understand the request. Reload the page and try again.',
    'error.MALFORMED_JSON': 'The service could not understand the request. Reload the page and try again.',
    'error.RATE_LIMITED': 'Too many requests. Wait a moment and try again.',
    'error.METRICS_UNAVAILABLE': 'The service metrics could not be collected. Please try again in a moment.',
    'error.INTERNAL_ERROR': 'Something went wrong on the service. Please try again later.',
    'error.UNEXPECTED_RESPONSE':
      'The service gave an answer this page does not understand. Reload the page and try again.',
    'error.QR_CODE_MISSING': 'The pairing code picture could not be made. Please try again.',
    'field.unknown': 'This field',
    'fieldIssue.REQUIRED': '{field} is required.',
    'fieldIssue.INVALID': '{field} is not valid.',
    'fieldIssue.INVALID_TYPE': '{field} is not valid.',
    'fieldIssue.INVALID_FORMAT': '{field} is not in a valid form.',
    'fieldIssue.INVALID_CHARACTER':
      '{field} contains a character that is not allowed (such as a control character).',
    'fieldIssue.TOO_SHORT': '{field} is too short.',
    'fieldIssue.TOO_LONG': '{field} is too long.',
    'fieldIssue.OUT_OF_RANGE': '{field} is outside the allowed range.',
    'fieldIssue.UNKNOWN_FIELD': '{field} is not accepted here.',
    'fieldIssue.CONFLICTING_FIELDS': '{field} cannot be given together with another field you filled in.',
    'fieldIssue.CHECK_DIGIT_MISMATCH': 'The check digit of {field} does not match. Check the number.',
    'fieldIssue.PASSWORD_TOO_SHORT': '{field} needs at least 8 characters.',
    'fieldIssue.PASSWORD_TOO_LONG': '{field} is too long (at most 128 characters).',
    'fieldIssue.PASSWORD_TOO_COMMON': '{field} is too common or too easy to guess. Choose another one.',
    'fieldIssue.PASSWORD_CONTAINS_IDENTIFIER': '{field} must not contain your username or email address.',
    'fieldIssue.username.TOO_SHORT': 'The username needs at least 3 characters.',
    'fieldIssue.username.TOO_LONG': 'The username can have at most 32 characters.',
    'fieldIssue.username.INVALID_FORMAT':
      'Use only a–z, 0–9, dot, underscore and hyphen in the username, not starting or ending with a dot.',
    'fieldIssue.email.INVALID_FORMAT': 'Enter an email address like name@example.com.',
    'fieldIssue.email.TOO_LONG': 'The email address is too long (at most 254 characters, 64 before the @).',
    'fieldIssue.password.PASSWORD_TOO_SHORT': 'The password needs at least 8 characters.',
    'fieldIssue.password.PASSWORD_TOO_LONG': 'The password is too long (at most 128 characters).',
    'fieldIssue.password.PASSWORD_TOO_COMMON':
      'This password is too common or too easy to guess. Choose another one.',
    'fieldIssue.password.PASSWORD_CONTAINS_IDENTIFIER':
      'The password must not contain your username or email address.',
    'fieldIssue.birth_date.INVALID_FORMAT': 'Enter a real date of birth (year, month and day).',
    'fieldIssue.birth_date.OUT_OF_RANGE': 'The date of birth must be between 1900 and today.',
    'fieldIssue.mynumber.INVALID_FORMAT': 'My Number has exactly 12 digits.',
    'fieldIssue.mynumber.CHECK_DIGIT_MISMATCH':
      'This is not a valid My Number (its last digit does not match). Check the number.',
    'fieldIssue.phone.INVALID_FORMAT':
      'Enter a phone number with digits only (spaces, hyphens, parentheses and a leading + are allowed), like 03-1234-5678.',
    'fieldIssue.initial_harmony_token.INVALID_FORMAT': 'Initial harmony tokens must be a whole number.',
    'fieldIssue.initial_harmony_token.OUT_OF_RANGE':
      'Initial harmony tokens must not be negative or too large.',
    'fieldIssue.device_label.TOO_LONG': 'The device name can have at most 64 characters.',
    'fieldIssue.identifier.REQUIRED': 'Enter your username, email address or account uuid.',
    'fieldIssue.pairing_token.REQUIRED': 'Enter the pairing code shown on your other device.',
    'fieldIssue.pairing_token.INVALID_FORMAT':
      'This is not a pairing code. Enter the 43-character code, its link, or the whole QR code text.',
    'error.NETWORK_ERROR': 'The server could not be reached. Check your connection and try again.',
    'error.NO_DEVICE_KEY':
      'This browser has no device key for this account. Add this browser from a device you already use: open Devices there, choose “Pair a new device” and scan the code or open its link here.',
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
    'nav.pair': 'この端末を追加',
    'language.label': '言語',
    'status.working': '処理中…',
    'title.index': 'City Chain 認証',
    'title.register': '新規登録 — City Chain 認証',
    'title.login': 'ログイン — City Chain 認証',
    'title.devices': '端末 — City Chain 認証',
    'title.pair': 'この端末を追加 — City Chain 認証',
    'title.notFound': 'ページが見つかりません — City Chain 認証',
    'notFound.heading': 'ページが見つかりません',
    'notFound.text': 'このアドレスにはページがありません。移動したか、リンクが間違っている可能性があります。',
    'notFound.home': 'トップページへ',
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
      '今すぐオフラインで保管してください。パスワードマネージャーにコピーするか、ファイルをダウンロードして印刷してください。すべての端末を失ったときは、コード1つとパスワードで新しい端末を追加できます（コマンドラインツールの city recover で）。各コードは1回だけ使えます。',
    'register.recovery.copy': 'コードをコピー',
    'register.recovery.download': 'テキストファイルとしてダウンロード',
    'register.recovery.copied': 'コピーしました。',
    'login.heading': 'ログイン',
    'login.submit': 'ログイン',
    'login.noKey':
      'このブラウザにはこのアカウントの端末の鍵がありません。お使いの端末で「端末」を開いて「新しい端末をペアリング」を選び、表示されたコードを読み取るかリンクをこのブラウザで開いて、このブラウザを追加してください。',
    'login.pairLink': 'このブラウザをアカウントに追加',
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
    'error.generic':
      'エラーが発生しました。もう一度お試しください。繰り返し起きる場合はサービスの運用者にお問い合わせください。',
    'error.VALIDATION_FAILED': '印の付いた項目を修正してください。',
    'error.USERNAME_TAKEN':
      'このユーザー名は既に登録されています。別のユーザー名にするか、ご自分のものならログインしてください。',
    'error.EMAIL_TAKEN':
      'このメールアドレスは既に登録されています。別のアドレスにするか、ご自分のアカウントならログインしてください。',
    'error.MYNUMBER_TAKEN': 'このマイナンバーは別のアカウントで既に登録されています。',
    'error.INVALID_CREDENTIALS':
      'ユーザー名、パスワード、またはペアリングコードが正しくないか、この端末が認められていません。確認してもう一度お試しください。',
    'error.ACCOUNT_LOCKED':
      'このアカウントのログイン失敗が多すぎます。しばらく待ってからもう一度お試しください。',
    'error.TOO_MANY_ATTEMPTS':
      'このネットワークからの失敗が多すぎます。しばらく待ってからもう一度お試しください。',
    'error.PROOF_MODE_DISABLED': 'この端末の証明方法は、このサービスでは有効になっていません。',
    'error.CHALLENGE_INVALID': 'ログインに時間がかかりすぎたか、既に使われています。もう一度お試しください。',
    'error.CLIENT_CERTIFICATE_REQUIRED':
      'このサービスには端末の証明書が必要ですが、ブラウザから提示されませんでした。',
    'error.AUTHENTICATION_REQUIRED': '先にログインしてください。',
    'error.TOKEN_INVALID': 'セッションが無効になりました。もう一度ログインしてください。',
    'error.TOKEN_EXPIRED': 'セッションの有効期限が切れました。もう一度ログインしてください。',
    'error.TOKEN_REVOKED': 'セッションは終了しました。もう一度ログインしてください。',
    'error.REFRESH_TOKEN_REUSED':
      'セッションが二重に使われたため、安全のため終了しました。もう一度ログインしてください。',
    'error.PAIRING_CREDENTIALS_REQUIRED':
      'ペアリングコードと一緒にユーザー名とパスワードを入力してください。',
    'error.PAIRING_TOKEN_INVALID':
      'このペアリングコードは無効です。お使いの端末で新しいコードを発行してください。',
    'error.PAIRING_TOKEN_EXPIRED':
      'このペアリングコードは有効期限が切れています。お使いの端末で新しいコードを発行してください。',
    'error.PAIRING_TOKEN_USED':
      'このペアリングコードは既に使われています。お使いの端末で新しいコードを発行してください。',
    'error.DEVICE_NOT_FOUND': 'この端末はあなたのアカウントに見つかりません。',
    'error.LAST_DEVICE_CONFIRMATION_REQUIRED':
      'これは最後の有効な端末です。失効させるとログインできなくなります。それでも失効させる場合は確認してください。',
    'error.CERTIFICATE_REQUEST_INVALID':
      'このブラウザの証明書の要求が受け付けられませんでした。もう一度お試しください。',
    'error.KEY_ALGORITHM_UNSUPPORTED': 'このブラウザの端末の鍵の種類には、このサービスは対応していません。',
    'error.USER_NOT_FOUND': 'そのアカウントはありません。',
    'error.FORBIDDEN': 'この操作を行う権限がありません。',
    'error.CONCURRENT_UPDATE': '同時に別の変更が行われました。もう一度お試しください。',
    'error.SERVICE_CLIENT_INVALID': 'サービスの認証情報が正しくありません。',
    'error.SERVICE_CLIENT_EXISTS': 'この名前のサービスは既に登録されています。',
    'error.SERVICE_CLIENT_NOT_FOUND': 'そのサービスは登録されていません。',
    'error.SERVICE_CLIENTS_UNSUPPORTED': 'このサービスでは他のサービスを登録できません。',
    'error.STORE_UNAVAILABLE': 'サービスが一時的に利用できません。少し待ってからもう一度お試しください。',
    'error.BAD_REQUEST':
      'サービスが要求を理解できませんでした。ページを再読み込みしてもう一度お試しください。',
    'error.HEADERS_TOO_LARGE': '要求が大きすぎます。ページを再読み込みしてもう一度お試しください。',
    'error.NOT_FOUND': '見つかりませんでした。',
    'error.CONFLICT': 'その間に行われた変更と競合しました。もう一度お試しください。',
    'error.METHOD_NOT_ALLOWED':
      'ここではこの操作はできません。ページを再読み込みしてもう一度お試しください。',
    'error.BODY_TOO_LARGE': '入力された内容が長すぎます。',
    'error.UNSUPPORTED_MEDIA_TYPE':
      'サービスが要求を理解できませんでした。ページを再読み込みしてもう一度お試しください。',
    'error.MALFORMED_JSON':
      'サービスが要求を理解できませんでした。ページを再読み込みしてもう一度お試しください。',
    'error.RATE_LIMITED': '要求が多すぎます。少し待ってからもう一度お試しください。',
    'error.METRICS_UNAVAILABLE':
      'サービスのメトリクスを収集できませんでした。少し待ってからもう一度お試しください。',
    'error.INTERNAL_ERROR': 'サービスでエラーが発生しました。しばらくしてからもう一度お試しください。',
    'error.UNEXPECTED_RESPONSE':
      'サービスからの応答をこのページが理解できませんでした。ページを再読み込みしてもう一度お試しください。',
    'error.QR_CODE_MISSING': 'ペアリングコードの画像を作成できませんでした。もう一度お試しください。',
    'field.unknown': 'この項目',
    'fieldIssue.REQUIRED': '{field}を入力してください。',
    'fieldIssue.INVALID': '{field}が正しくありません。',
    'fieldIssue.INVALID_TYPE': '{field}が正しくありません。',
    'fieldIssue.INVALID_FORMAT': '{field}の形式が正しくありません。',
    'fieldIssue.INVALID_CHARACTER': '{field}に使用できない文字（制御文字など）が含まれています。',
    'fieldIssue.TOO_SHORT': '{field}が短すぎます。',
    'fieldIssue.TOO_LONG': '{field}が長すぎます。',
    'fieldIssue.OUT_OF_RANGE': '{field}が許容範囲外です。',
    'fieldIssue.UNKNOWN_FIELD': '{field}はここでは受け付けられません。',
    'fieldIssue.CONFLICTING_FIELDS': '{field}は、入力された別の項目と同時には指定できません。',
    'fieldIssue.CHECK_DIGIT_MISMATCH': '{field}のチェックディジットが一致しません。番号を確認してください。',
    'fieldIssue.PASSWORD_TOO_SHORT': '{field}は 8 文字以上にしてください。',
    'fieldIssue.PASSWORD_TOO_LONG': '{field}が長すぎます（128 文字まで）。',
    'fieldIssue.PASSWORD_TOO_COMMON':
      '{field}はよく使われているか推測されやすいため使えません。別のものにしてください。',
    'fieldIssue.PASSWORD_CONTAINS_IDENTIFIER': '{field}にユーザー名やメールアドレスを含めないでください。',
    'fieldIssue.username.TOO_SHORT': 'ユーザー名は 3 文字以上にしてください。',
    'fieldIssue.username.TOO_LONG': 'ユーザー名は 32 文字以内にしてください。',
    'fieldIssue.username.INVALID_FORMAT':
      'ユーザー名には a–z、0–9、ピリオド、アンダースコア、ハイフンだけを使い、ピリオドで始めたり終えたりしないでください。',
    'fieldIssue.email.INVALID_FORMAT': 'name@example.com のような形式でメールアドレスを入力してください。',
    'fieldIssue.email.TOO_LONG': 'メールアドレスが長すぎます（全体で 254 文字、@ の前は 64 文字まで）。',
    'fieldIssue.password.PASSWORD_TOO_SHORT': 'パスワードは 8 文字以上にしてください。',
    'fieldIssue.password.PASSWORD_TOO_LONG': 'パスワードが長すぎます（128 文字まで）。',
    'fieldIssue.password.PASSWORD_TOO_COMMON':
      'このパスワードはよく使われているか推測されやすいため使えません。別のパスワードにしてください。',
    'fieldIssue.password.PASSWORD_CONTAINS_IDENTIFIER':
      'パスワードにユーザー名やメールアドレスを含めないでください。',
    'fieldIssue.birth_date.INVALID_FORMAT': '実在する生年月日（年・月・日）を入力してください。',
    'fieldIssue.birth_date.OUT_OF_RANGE': '生年月日は 1900 年から今日までの日付にしてください。',
    'fieldIssue.mynumber.INVALID_FORMAT': 'マイナンバーは 12 桁の数字です。',
    'fieldIssue.mynumber.CHECK_DIGIT_MISMATCH':
      '有効なマイナンバーではありません（最後の桁が一致しません）。番号を確認してください。',
    'fieldIssue.phone.INVALID_FORMAT':
      '電話番号は 03-1234-5678 のように数字で入力してください（空白・ハイフン・括弧・先頭の + は使えます）。',
    'fieldIssue.initial_harmony_token.INVALID_FORMAT': '初期ハーモニートークンは整数で入力してください。',
    'fieldIssue.initial_harmony_token.OUT_OF_RANGE':
      '初期ハーモニートークンは 0 以上の、大きすぎない数にしてください。',
    'fieldIssue.device_label.TOO_LONG': '端末の名前は 64 文字以内にしてください。',
    'fieldIssue.identifier.REQUIRED':
      'ユーザー名、メールアドレス、またはアカウント UUID を入力してください。',
    'fieldIssue.pairing_token.REQUIRED': 'もう一方の端末に表示されたペアリングコードを入力してください。',
    'fieldIssue.pairing_token.INVALID_FORMAT':
      'ペアリングコードではありません。43 文字のコード、そのリンク、または QR コードの文字列全体を入力してください。',
    'error.NETWORK_ERROR': 'サーバーに接続できませんでした。接続を確認してもう一度お試しください。',
    'error.NO_DEVICE_KEY':
      'このブラウザにはこのアカウントの端末の鍵がありません。お使いの端末で「端末」を開いて「新しい端末をペアリング」を選び、表示されたコードを読み取るかリンクをこのブラウザで開いて、このブラウザを追加してください。',
    'error.WEBCRYPTO_UNAVAILABLE':
      'このブラウザでは端末の鍵を作成できません（WebCrypto / IndexedDB が使えません）。',
  },
};

/** @type {readonly Language[]} */
export const LANGUAGES = ['en', 'ja'];

/**
 * The language the user chose with the switch (the `city_language` cookie the server also reads, or a choice
 * remembered in localStorage before the cookie existed), if any.
 *
 * @returns {Language | undefined}
 */
function chosenLanguage() {
  const cookie = /(?:^|;)\s*city_language=(en|ja)\s*(?:;|$)/.exec(document.cookie)?.[1];
  if (cookie === 'en' || cookie === 'ja') return cookie;
  const stored = localStorage.getItem(LANGUAGE_KEY);
  return stored === 'en' || stored === 'ja' ? stored : undefined;
}

/**
 * The language in use: the user's choice, else the one the server served the page in (from the browser's
 * Accept-Language), else the browser's, else English.
 *
 * @returns {Language}
 */
export function currentLanguage() {
  const chosen = chosenLanguage();
  if (chosen !== undefined) return chosen;
  const served = document.documentElement.lang;
  if (served === 'en' || served === 'ja') return served;
  return (navigator.language ?? '').toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** @param {Language} language */
function rememberLanguage(language) {
  localStorage.setItem(LANGUAGE_KEY, language);
  // A year; the server reads it to send the pages in this language.
  // biome-ignore lint/suspicious/noDocumentCookie: the server must see the choice; one fixed, safe value
  document.cookie = `city_language=${language}; path=/; max-age=31536000; samesite=lax`;
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
  rememberLanguage(language);
  applyTranslations();
  document.dispatchEvent(new CustomEvent('city:language', { detail: { language } }));
}

/**
 * Translates the page and wires the `<select id="language">` switch.
 */
export function initLanguage() {
  // A choice made before the server could see it (localStorage only) becomes the cookie too.
  const chosen = chosenLanguage();
  if (chosen !== undefined) rememberLanguage(chosen);
  applyTranslations();
  const select = /** @type {HTMLSelectElement | null} */ (document.getElementById('language'));
  if (select === null) return;
  select.value = currentLanguage();
  select.addEventListener('change', () => {
    const value = select.value;
    if (value === 'en' || value === 'ja') setLanguage(value);
  });
}
