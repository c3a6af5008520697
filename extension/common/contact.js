// How a caller's contact reads on the caller card, in the desktop notification and in the popup: name and company, or "Unknown caller" and the number.

/** {title, message} of a card ({found, name, company, number}); t(key) translates. */
export function cardText(card, t) {
  if (card.found) {
    const title = card.name || card.company || card.number || t("callerCardUnknown");
    const lines = [card.name ? card.company : null, card.number].filter(Boolean);
    return { title, message: lines.join("\n") };
  }
  return { title: t("callerCardUnknown"), message: card.number || t("callerCardNoNumber") };
}
