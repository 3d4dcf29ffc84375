/* Upload fields carry the server's size limit (data-max-bytes) and its message (data-too-large): a file
   above it is refused at the field before anything is sent. Without JavaScript the server refuses it
   as soon as it has read that much, and names the problem at the same field. */
"use strict";
document.addEventListener("change", function (event) {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.maxBytes) {
    return;
  }
  const limit = Number(input.dataset.maxBytes);
  const tooLarge = Array.from(input.files || []).some(function (file) {
    return file.size > limit;
  });
  input.setCustomValidity(tooLarge ? input.dataset.tooLarge : "");
  if (tooLarge) {
    input.reportValidity();
  }
});
