"""The words of the pages in English and Japanese. A missing Japanese entry falls back to English."""

from __future__ import annotations

LANGUAGES = ("en", "ja")

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "app": "Mission scheduler",
        "language": "Language",
        "timezone": "Time zone",
        "show": "Show",
        "meeting": "Meeting",
        "purpose": "Purpose",
        "agenda": "Agenda",
        "our_side": "Delegation",
        "your_side": "Your side",
        "options": "Proposed times",
        "options_help": "Pick the time that suits you; it is booked at once and the invitations go out.",
        "times_in": "Times in {zone}, with {other} beside them.",
        "pick": "Book this time",
        "add_people": "Add people from your side (optional)",
        "name": "Name",
        "email": "Email",
        "no_longer": "no longer available",
        "none_work": "None of these work",
        "none_help": "Tell us when you could meet: tick the hours (in {zone}) and add a note.",
        "none_other_side": "Only hours our delegation can meet are shown; the small time is {other}.",
        "note": "Note",
        "send": "Send",
        "taken": "Sorry, someone booked that time a moment ago. These times are still open:",
        "none_left": "No proposed time is still open. We will send new times.",
        "taken_none": (
            "Sorry, someone booked that time a moment ago, and no other proposed time is still open. "
            "We will send new times."
        ),
        "withdrawn_none": (
            "Sorry, the organizers no longer offer that time, and no other is open. We will send new times."
        ),
        "booked_title": "Your meeting is booked",
        "booked_help": "Invitations have been sent to everyone. Add it to your calendar:",
        "download": "Download the invitation (.ics)",
        "change": "Need to change it?",
        "ask_reschedule": "Ask to reschedule",
        "ask_cancel": "Ask to cancel",
        "change_sent": "Thank you: your request was sent to the organizers.",
        "declined_title": "Thank you for your answer",
        "declined_help": "The organizers will propose new times that suit you.",
        "expires": "This link works until {when}.",
        "error_not_found": "This booking link is not valid. Please use the link from your email.",
        "error_expired": (
            "This booking link has expired or was already used. The organizers will send a new one."
        ),
        "error_conflict": (
            "That could not be done because something changed meanwhile. Please reload the page."
        ),
        "error_expired_time": "This booking link has expired. The organizers will send you new times.",
        "error_used": "This meeting was already booked through this link. The invitation is in your email.",
        "error_declined": (
            "An answer was already sent through this link: none of the times worked. "
            "The organizers will propose new times."
        ),
        "error_superseded": (
            "The organizers have replaced these times with new ones. "
            "Please use the link in their latest email."
        ),
        "error_cancelled": "The organizers withdrew this request. They will be in touch.",
        "error_exhausted": (
            "Every time offered through this link has been taken by other meetings. "
            "The organizers have been told and will send you new times."
        ),
        "booked_meanwhile": (
            "This meeting was already booked through this link (perhaps by someone else on your side), "
            "at this time:"
        ),
        "withdrawn": "Sorry, the organizers no longer offer that time. These times are still open:",
        "error_csrf": "The form had expired. Please go back, reload the page and try again.",
        "error_bad_input": "Something in the form could not be read. Please go back and check it.",
        "error_forbidden": "Your role in this mission lets you read it, not change it.",
        "error_throttled": "Too many failed logins. Please wait a little and try again.",
        "error_title": "Sorry",
        "login": "Log in",
        "logout": "Log out",
        "password": "Password",
        "login_failed": "Wrong email or password.",
        "logged_in_as": "Logged in as {email}",
        "api_docs": "API documentation",
        "bad_email": "Please give a valid email address for {name}.",
        "answer_for": "You answer for",
        "pick_organisation": "Please say which organisation you answer for, so that we note its times.",
    },
    "ja": {
        "app": "ミッション日程調整",
        "language": "言語",
        "timezone": "タイムゾーン",
        "show": "表示",
        "meeting": "会議",
        "purpose": "目的",
        "agenda": "議題",
        "our_side": "訪問団",
        "your_side": "貴社・貴団体",
        "options": "候補日時",
        "options_help": "ご都合のよい日時をお選びください。その場で予約が確定し、招待状が送信されます。",
        "times_in": "{zone}の時刻で表示しています（{other}の時刻を併記）。",
        "pick": "この日時で予約する",
        "add_people": "ご出席者の追加（任意）",
        "name": "お名前",
        "email": "メールアドレス",
        "no_longer": "予約できなくなりました",
        "none_work": "いずれの日時も都合がつかない",
        "none_help": "ご都合のよい時間帯（{zone}）にチェックを入れ、メッセージをお書きください。",
        "none_other_side": "当方が対応できる時間帯のみ表示しています。小さな時刻は{other}の時刻です。",
        "note": "メッセージ",
        "send": "送信",
        "taken": (
            "申し訳ありません。その日時は直前に別の予約が入りました。まだ予約できる日時は次のとおりです。"
        ),
        "none_left": "予約できる候補日時がなくなりました。新しい候補をお送りします。",
        "taken_none": (
            "申し訳ありません。その日時は直前に別の予約が入り、ほかに予約できる候補日時もなくなりました。"
            "新しい候補をお送りします。"
        ),
        "withdrawn_none": (
            "申し訳ありません。その日時は事務局が候補から外し、ほかに予約できる候補日時もありません。"
            "新しい候補をお送りします。"
        ),
        "booked_title": "会議の予約が確定しました",
        "booked_help": "全員に招待状を送信しました。カレンダーに追加してください。",
        "download": "招待状をダウンロード（.ics）",
        "change": "変更が必要ですか？",
        "ask_reschedule": "日時の変更を依頼する",
        "ask_cancel": "キャンセルを依頼する",
        "change_sent": "ありがとうございます。ご依頼を事務局に送信しました。",
        "declined_title": "ご回答ありがとうございます",
        "declined_help": "事務局からご都合に合わせた新しい候補日時をお送りします。",
        "expires": "このリンクの有効期限：{when}",
        "error_not_found": "この予約リンクは無効です。メールに記載のリンクをご利用ください。",
        "error_expired": (
            "この予約リンクは有効期限切れか、すでに使用されています。事務局から新しいリンクをお送りします。"
        ),
        "error_conflict": "処理中に状況が変わったため完了できませんでした。ページを再読み込みしてください。",
        "error_expired_time": (
            "この予約リンクは有効期限が切れました。事務局から新しい候補日時をお送りします。"
        ),
        "error_used": "この会議はすでにこのリンクから予約されています。招待状はメールでお送りしています。",
        "error_declined": (
            "このリンクからは「いずれの日時も都合がつかない」とのご回答をすでにいただいています。"
            "事務局から新しい候補日時をお送りします。"
        ),
        "error_superseded": (
            "事務局が候補日時を新しいものに差し替えました。最新のメールに記載のリンクをご利用ください。"
        ),
        "error_cancelled": "事務局がこのご依頼を取り下げました。追ってご連絡いたします。",
        "error_exhausted": (
            "このリンクの候補日時はすべて他の会議で埋まりました。事務局に通知済みで、新しい候補日時をお送りします。"
        ),
        "booked_meanwhile": (
            "この会議は、すでにこのリンクから次の日時で予約されています（貴社・貴団体の別の方による予約かもしれません）。"
        ),
        "withdrawn": (
            "申し訳ありません。その日時は事務局が候補から外しました。まだ予約できる日時は次のとおりです。"
        ),
        "error_csrf": "フォームの有効期限が切れました。ページを再読み込みしてもう一度お試しください。",
        "error_bad_input": "フォームの内容を読み取れませんでした。戻ってご確認ください。",
        "error_forbidden": "このミッションでのあなたの役割では、閲覧はできますが変更はできません。",
        "error_throttled": "ログインの失敗が多すぎます。しばらく待ってからもう一度お試しください。",
        "error_title": "申し訳ありません",
        "login": "ログイン",
        "logout": "ログアウト",
        "password": "パスワード",
        "login_failed": "メールアドレスまたはパスワードが正しくありません。",
        "logged_in_as": "{email} でログイン中",
        "api_docs": "API ドキュメント",
        "bad_email": "{name} さんの正しいメールアドレスをご入力ください。",
        "answer_for": "ご所属",
        "pick_organisation": "ご都合を記録するため、ご所属の団体をお選びください。",
    },
}


def pick_language(wanted: str | None, default: str = "en") -> str:
    """`wanted` when it is a supported language ("ja", "ja-JP"), else `default` (else English)."""
    for code in (wanted, default):
        base = (code or "").replace("_", "-").split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return "en"


def translate(lang: str, key: str, **values: object) -> str:
    text = STRINGS.get(lang, {}).get(key) or STRINGS["en"][key]
    return text.format(**values) if values else text


__all__ = ["LANGUAGES", "STRINGS", "pick_language", "translate"]
