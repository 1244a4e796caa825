/** Copies text, if the browser lets the page (a secure context, the user's gesture): whether it did. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API here (plain http on a non-local host) or no permission: the page shows the text to copy by hand.
    return false;
  }
}
