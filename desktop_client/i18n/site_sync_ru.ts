<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru" sourcelanguage="en">
<context>
    <name>App</name>
    <message>
        <location filename="../ui/app.py" line="98"/>
        <source>Cannot open the data</source>
        <translation>Не удаётся открыть данные</translation>
    </message>
</context>
<context>
    <name>CoreMessages</name>
    <message>
        <location filename="../ui/core_messages.py" line="28"/>
        <source>Fill in this field.</source>
        <translation>Заполните это поле.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="32"/>
        <source>Use at most %1 characters.</source>
        <translation>Не больше %1 символов.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="36"/>
        <source>Enter a number, such as 12.5.</source>
        <translation>Введите число, например 12,5.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="40"/>
        <source>Enter a whole number.</source>
        <translation>Введите целое число.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="44"/>
        <source>Use at most %1 digits after the decimal point.</source>
        <translation>Не больше %1 знаков после запятой.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="48"/>
        <source>The number is too large: at most %1 digits before the decimal point.</source>
        <translation>Слишком большое число: не больше %1 цифр до запятой.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="53"/>
        <source>Must be at least %1.</source>
        <translation>Не меньше %1.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="57"/>
        <source>Must be at most %1.</source>
        <translation>Не больше %1.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="61"/>
        <source>Enter a valid date.</source>
        <translation>Введите правильную дату.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="65"/>
        <source>Choose one of the offered values.</source>
        <translation>Выберите одно из предложенных значений.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="75"/>
        <source>This line belongs to another record.</source>
        <translation>Эта строка принадлежит другой записи.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="79"/>
        <source>Another line of this record has the same id.</source>
        <translation>У другой строки этой записи тот же идентификатор.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="83"/>
        <source>A record with this id already exists.</source>
        <translation>Запись с таким идентификатором уже есть.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="91"/>
        <source>The server&apos;s database refused this record.</source>
        <translation>База данных сервера не приняла эту запись.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="70"/>
        <source>This person is not on this computer; choose another or sync first.</source>
        <translation>Этого человека нет на этом компьютере: выберите другого или сначала синхронизируйте.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="71"/>
        <source>This work item is not on this computer; choose another or sync first.</source>
        <translation>Этой работы нет на этом компьютере: выберите другую или сначала синхронизируйте.</translation>
    </message>
    <message>
        <location filename="../ui/core_messages.py" line="87"/>
        <source>Another record on the server already has this value.</source>
        <translation>На сервере уже есть другая запись с таким значением.</translation>
    </message>
</context>
<context>
    <name>FieldInputs</name>
    <message>
        <location filename="../ui/editors/field_inputs.py" line="156"/>
        <source>— none —</source>
        <translation>— нет —</translation>
    </message>
    <message>
        <location filename="../ui/editors/field_inputs.py" line="158"/>
        <source>— choose —</source>
        <translation>— выберите —</translation>
    </message>
</context>
<context>
    <name>Fields</name>
    <message>
        <location filename="../ui/labels.py" line="49"/>
        <source>Username</source>
        <translation>Имя пользователя</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="50"/>
        <source>Full name</source>
        <translation>ФИО</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="51"/>
        <source>Active</source>
        <translation>Активен</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="52"/>
        <source>Code</source>
        <translation>Код</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="53"/>
        <source>Name</source>
        <translation>Наименование</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="54"/>
        <source>Unit</source>
        <translation>Ед. изм.</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="55"/>
        <source>Unit price</source>
        <translation>Цена за ед.</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="56"/>
        <source>Number</source>
        <translation>Номер</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="57"/>
        <source>Title</source>
        <translation>Название</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="58"/>
        <source>Site</source>
        <translation>Объект</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="59"/>
        <source>Date</source>
        <translation>Дата</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="60"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="61"/>
        <source>Author</source>
        <translation>Автор</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="62"/>
        <source>Notes</source>
        <translation>Примечания</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="63"/>
        <source>Worker</source>
        <translation>Работник</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="64"/>
        <source>Hours</source>
        <translation>Часы</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="65"/>
        <source>Work</source>
        <translation>Работа</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="66"/>
        <source>Note</source>
        <translation>Примечание</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="67"/>
        <source>No.</source>
        <translation>№</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="68"/>
        <source>Description</source>
        <translation>Описание</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="69"/>
        <source>Quantity</source>
        <translation>Объём</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="70"/>
        <source>Workers</source>
        <translation>Рабочих</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="71"/>
        <source>Lines</source>
        <translation>Строки</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="74"/>
        <source>Total</source>
        <translation>Сумма</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="73"/>
        <source>Man-hours</source>
        <translation>Чел.-часы</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="75"/>
        <source>Identifier</source>
        <translation>Идентификатор</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="78"/>
        <source>Record</source>
        <translation>Запись</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="79"/>
        <source>Size</source>
        <translation>Размер</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="86"/>
        <source>Draft</source>
        <translation>Черновик</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="87"/>
        <source>Approved</source>
        <translation>Утверждена</translation>
    </message>
</context>
<context>
    <name>Filters</name>
    <message>
        <location filename="../ui/filter_bar.py" line="36"/>
        <source>Search…</source>
        <translation>Поиск…</translation>
    </message>
    <message>
        <location filename="../ui/filter_bar.py" line="45"/>
        <source>Clear filters</source>
        <translation>Сбросить фильтры</translation>
    </message>
    <message>
        <location filename="../ui/filter_bar.py" line="101"/>
        <source>All sites</source>
        <translation>Все объекты</translation>
    </message>
    <message>
        <location filename="../ui/filter_bar.py" line="52"/>
        <source>From</source>
        <translation>С</translation>
    </message>
    <message>
        <location filename="../ui/filter_bar.py" line="54"/>
        <source>to</source>
        <translation>по</translation>
    </message>
    <message>
        <location filename="../ui/filter_bar.py" line="68"/>
        <source>any date</source>
        <translation>любая дата</translation>
    </message>
    <message>
        <location filename="../ui/filter_bar.py" line="121"/>
        <source>Records: %1</source>
        <translation>Записей: %1</translation>
    </message>
    <message>
        <location filename="../ui/filter_bar.py" line="123"/>
        <source>Shown: %1 of %2</source>
        <translation>Показано: %1 из %2</translation>
    </message>
</context>
<context>
    <name>LinesEditor</name>
    <message>
        <location filename="../ui/editors/lines_editor.py" line="39"/>
        <source>— none —</source>
        <translation>— нет —</translation>
    </message>
    <message>
        <location filename="../ui/editors/lines_editor.py" line="70"/>
        <source>Add line</source>
        <translation>Добавить строку</translation>
    </message>
    <message>
        <location filename="../ui/editors/lines_editor.py" line="71"/>
        <source>Remove line</source>
        <translation>Удалить строку</translation>
    </message>
    <message>
        <location filename="../ui/editors/lines_editor.py" line="72"/>
        <source>Move up</source>
        <translation>Выше</translation>
    </message>
    <message>
        <location filename="../ui/editors/lines_editor.py" line="73"/>
        <source>Move down</source>
        <translation>Ниже</translation>
    </message>
    <message>
        <location filename="../ui/editors/lines_editor.py" line="155"/>
        <source>Estimate total: %1</source>
        <translation>Итого по смете: %1</translation>
    </message>
    <message>
        <location filename="../ui/editors/lines_editor.py" line="157"/>
        <source>Man-hours: %1</source>
        <translation>Чел.-часов: %1</translation>
    </message>
    <message>
        <location filename="../ui/editors/lines_model.py" line="140"/>
        <source>Line %1, %2: %3</source>
        <translation>Строка %1, %2: %3</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../ui/main_window.py" line="51"/>
        <source>Site sync</source>
        <translation>Синхронизация объектов</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="88"/>
        <source>New</source>
        <translation>Создать</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="90"/>
        <source>Open</source>
        <translation>Открыть</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="184"/>
        <source>Delete</source>
        <translation>Удалить</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="95"/>
        <source>Sync now</source>
        <translation>Синхронизировать</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="97"/>
        <source>To review</source>
        <translation>На разбор</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="99"/>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="101"/>
        <source>Search</source>
        <translation>Поиск</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="103"/>
        <source>Actions</source>
        <translation>Действия</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="184"/>
        <source>Delete “%1”? The deletion is sent to the server with the next sync.</source>
        <translation>Удалить «%1»? Удаление уйдёт на сервер при следующей синхронизации.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="197"/>
        <source>Changed meanwhile</source>
        <translation>Запись изменилась</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="197"/>
        <source>This record was just changed by a sync. Look at it again before deleting it.</source>
        <translation>Эту запись только что изменила синхронизация. Посмотрите на неё ещё раз, прежде чем удалять.</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="234"/>
        <source>Connect…</source>
        <translation>Подключить…</translation>
    </message>
    <message>
        <location filename="../ui/main_window.py" line="237"/>
        <source>Connect again…</source>
        <translation>Подключить заново…</translation>
    </message>
</context>
<context>
    <name>Prompts</name>
    <message>
        <location filename="../ui/prompts.py" line="20"/>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
</context>
<context>
    <name>RecordCompare</name>
    <message>
        <location filename="../ui/record_compare.py" line="39"/>
        <source>Deleted</source>
        <translation>Удалена</translation>
    </message>
    <message>
        <location filename="../ui/record_compare.py" line="40"/>
        <source>Kept</source>
        <translation>Есть</translation>
    </message>
    <message>
        <location filename="../ui/record_compare.py" line="41"/>
        <source>Record</source>
        <translation>Запись</translation>
    </message>
    <message>
        <location filename="../ui/record_compare.py" line="64"/>
        <source>Line %1</source>
        <translation>Строка %1</translation>
    </message>
    <message>
        <location filename="../ui/record_compare.py" line="91"/>
        <source>%1: %2; %3 workers × %4 h</source>
        <translation>%1: %2; рабочих %3 × %4 ч</translation>
    </message>
    <message>
        <location filename="../ui/record_compare.py" line="114"/>
        <source>yes</source>
        <translation>да</translation>
    </message>
    <message>
        <location filename="../ui/record_compare.py" line="114"/>
        <source>no</source>
        <translation>нет</translation>
    </message>
</context>
<context>
    <name>RecordEditor</name>
    <message>
        <location filename="../ui/editors/record_editor.py" line="75"/>
        <source>The server rejected this change. Correct what is marked and save: it is sent again with the next sync.</source>
        <translation>Сервер не принял это изменение. Исправьте отмеченное и сохраните: оно уйдёт снова при следующей синхронизации.</translation>
    </message>
    <message>
        <location filename="../ui/editors/record_editor.py" line="100"/>
        <source>Save</source>
        <translation>Сохранить</translation>
    </message>
    <message>
        <location filename="../ui/editors/record_editor.py" line="103"/>
        <source>Save (Ctrl+S)</source>
        <translation>Сохранить (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../ui/editors/record_editor.py" line="105"/>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <location filename="../ui/editors/record_editor.py" line="158"/>
        <source>Changed meanwhile</source>
        <translation>Запись изменилась</translation>
    </message>
    <message>
        <location filename="../ui/editors/record_editor.py" line="158"/>
        <source>This record was changed by a sync while you were editing it. Save your version over it? (Cancel keeps the form open, so you can look at the list first.)</source>
        <translation>Пока вы редактировали, эту запись изменила синхронизация. Сохранить вашу версию поверх? («Отмена» оставит форму открытой, чтобы сначала посмотреть список.)</translation>
    </message>
    <message>
        <location filename="../ui/editors/record_editor.py" line="158"/>
        <source>Save mine</source>
        <translation>Сохранить мою</translation>
    </message>
    <message>
        <location filename="../ui/editors/record_editor.py" line="168"/>
        <source>Record gone</source>
        <translation>Записи больше нет</translation>
    </message>
    <message>
        <location filename="../ui/editors/record_editor.py" line="168"/>
        <source>This record was deleted meanwhile (by a sync or in another window). Your edits cannot be saved to it.</source>
        <translation>Эту запись тем временем удалили (синхронизация или другое окно). Сохранить в неё ваши правки нельзя.</translation>
    </message>
    <message>
        <location filename="../ui/editors/record_editor.py" line="188"/>
        <source>Unsaved changes</source>
        <translation>Несохранённые изменения</translation>
    </message>
    <message>
        <location filename="../ui/editors/record_editor.py" line="188"/>
        <source>Close without saving your changes?</source>
        <translation>Закрыть, не сохраняя изменения?</translation>
    </message>
    <message>
        <location filename="../ui/editors/record_editor.py" line="188"/>
        <source>Discard changes</source>
        <translation>Не сохранять</translation>
    </message>
</context>
<context>
    <name>RecordPage</name>
    <message>
        <location filename="../ui/record_page.py" line="85"/>
        <source>No daily reports yet. Press “New” to write today's.</source>
        <translation>Ежедневных отчётов пока нет. Нажмите «Создать», чтобы написать сегодняшний.</translation>
    </message>
    <message>
        <location filename="../ui/record_page.py" line="86"/>
        <source>No timesheets yet. Press “New” to add hours.</source>
        <translation>Табелей пока нет. Нажмите «Создать», чтобы внести часы.</translation>
    </message>
    <message>
        <location filename="../ui/record_page.py" line="87"/>
        <source>No estimates yet. Press “New” to start one.</source>
        <translation>Смет пока нет. Нажмите «Создать», чтобы начать смету.</translation>
    </message>
    <message>
        <location filename="../ui/record_page.py" line="88"/>
        <source>The work catalogue is empty. The office keeps it; it arrives with the next sync.</source>
        <translation>Справочник работ пуст. Его ведёт офис; он придёт со следующей синхронизацией.</translation>
    </message>
</context>
<context>
    <name>RecordTable</name>
    <message>
        <location filename="../ui/record_table.py" line="86"/>
        <source>Sync state of the record</source>
        <translation>Состояние синхронизации записи</translation>
    </message>
    <message>
        <location filename="../ui/record_table.py" line="113"/>
        <source>Changed here, not sent to the server yet</source>
        <translation>Изменена здесь, ещё не отправлена на сервер</translation>
    </message>
    <message>
        <location filename="../ui/record_table.py" line="114"/>
        <source>Conflict: changed on the server too; see To review</source>
        <translation>Конфликт: запись изменили и на сервере; см. «На разбор»</translation>
    </message>
    <message>
        <location filename="../ui/record_table.py" line="115"/>
        <source>The server rejected this change; see To review</source>
        <translation>Сервер не принял это изменение; см. «На разбор»</translation>
    </message>
</context>
<context>
    <name>RecordTypes</name>
    <message>
        <location filename="../ui/labels.py" line="15"/>
        <source>User</source>
        <translation>Пользователь</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="16"/>
        <source>Work item</source>
        <translation>Работа</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="17"/>
        <source>Estimate</source>
        <translation>Смета</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="18"/>
        <source>Daily report</source>
        <translation>Ежедневный отчёт</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="19"/>
        <source>Timesheet</source>
        <translation>Табель</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="26"/>
        <source>Users</source>
        <translation>Пользователи</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="27"/>
        <source>Work catalogue</source>
        <translation>Справочник работ</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="28"/>
        <source>Estimates</source>
        <translation>Сметы</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="29"/>
        <source>Daily reports</source>
        <translation>Ежедневные отчёты</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="30"/>
        <source>Timesheets</source>
        <translation>Табели</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="37"/>
        <source>New estimate</source>
        <translation>Новая смета</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="38"/>
        <source>New daily report</source>
        <translation>Новый ежедневный отчёт</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="39"/>
        <source>New timesheet entry</source>
        <translation>Новая запись табеля</translation>
    </message>
    <message>
        <location filename="../ui/labels.py" line="40"/>
        <source>New work item</source>
        <translation>Новая работа</translation>
    </message>
</context>
<context>
    <name>ReviewDialog</name>
    <message>
        <location filename="../ui/review_dialog.py" line="61"/>
        <source>To review: conflicts and rejected changes</source>
        <translation>На разбор: конфликты и непринятые изменения</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="67"/>
        <source>Close</source>
        <translation>Закрыть</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="83"/>
        <source>Someone changed this record on the server before your change arrived. The window now shows the server&apos;s version; yours is kept here. Rows that differ are marked.</source>
        <translation>Кто-то изменил эту запись на сервере раньше, чем пришло ваше изменение. Сейчас в окне версия сервера; ваша сохранена здесь. Различающиеся строки отмечены.</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="117"/>
        <source>Field</source>
        <translation>Поле</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="87"/>
        <source>Mine</source>
        <translation>Моя</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="87"/>
        <source>Server&apos;s</source>
        <translation>На сервере</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="224"/>
        <source>Keep the server&apos;s</source>
        <translation>Оставить серверную</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="93"/>
        <source>Re-apply mine</source>
        <translation>Применить мою</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="105"/>
        <source>No conflicts. Nothing to decide here.</source>
        <translation>Конфликтов нет. Решать здесь нечего.</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="117"/>
        <source>My change</source>
        <translation>Моё изменение</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="201"/>
        <source>Correct and send again…</source>
        <translation>Исправить и отправить снова…</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="241"/>
        <source>Discard my change</source>
        <translation>Отменить моё изменение</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="134"/>
        <source>No rejected changes. The server took everything you sent.</source>
        <translation>Непринятых изменений нет. Сервер принял всё, что вы отправили.</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="147"/>
        <source>Conflicts (%1)</source>
        <translation>Конфликты (%1)</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="148"/>
        <source>Rejected changes (%1)</source>
        <translation>Не приняты (%1)</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="168"/>
        <source>Deletion: %1</source>
        <translation>Удаление: %1</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="198"/>
        <source>The server rejected this change:</source>
        <translation>Сервер не принял это изменение:</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="201"/>
        <source>Send the deletion again</source>
        <translation>Отправить удаление снова</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="214"/>
        <source>Line %1</source>
        <translation>Строка %1</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="224"/>
        <source>Keep the server&apos;s version</source>
        <translation>Оставить версию сервера</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="224"/>
        <source>Your version of this record will be dropped. Keep the server&apos;s?</source>
        <translation>Ваша версия этой записи будет отброшена. Оставить версию сервера?</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="241"/>
        <source>Discard the change</source>
        <translation>Отменить изменение</translation>
    </message>
    <message>
        <location filename="../ui/review_dialog.py" line="241"/>
        <source>The record goes back to what the server has. Discard your change?</source>
        <translation>Запись вернётся к тому, что есть на сервере. Отменить ваше изменение?</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../ui/settings_dialog.py" line="56"/>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="64"/>
        <source>OK</source>
        <translation>ОК</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="65"/>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="78"/>
        <source>Server</source>
        <translation>Сервер</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="87"/>
        <source>Test connection</source>
        <translation>Проверить связь</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="92"/>
        <source>Server address:</source>
        <translation>Адрес сервера:</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="100"/>
        <source>Connect this computer</source>
        <translation>Подключить этот компьютер</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="114"/>
        <source>Log in and connect</source>
        <translation>Войти и подключить</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="117"/>
        <source>Username:</source>
        <translation>Имя пользователя:</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="118"/>
        <source>Password:</source>
        <translation>Пароль:</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="119"/>
        <source>This computer&apos;s name:</source>
        <translation>Имя компьютера:</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="121"/>
        <source>Log in</source>
        <translation>Вход</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="125"/>
        <source>An administrator can add this computer in the office and give you a connection code. Paste it here; the server address is inside it.</source>
        <translation>Администратор может добавить этот компьютер в офисе и выдать код подключения. Вставьте его сюда; адрес сервера уже внутри.</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="131"/>
        <source>Connect with the code</source>
        <translation>Подключить по коду</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="134"/>
        <source>Connection code:</source>
        <translation>Код подключения:</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="136"/>
        <source>Connection code</source>
        <translation>Код подключения</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="146"/>
        <source>Preferences</source>
        <translation>Параметры</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="151"/>
        <source> min</source>
        <translation> мин</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="153"/>
        <source>Sync every:</source>
        <translation>Синхронизировать каждые:</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="156"/>
        <source>As the system (%1)</source>
        <translation>Как в системе (%1)</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="162"/>
        <source>Language:</source>
        <translation>Язык:</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="174"/>
        <source>This computer is not connected to a server yet.</source>
        <translation>Этот компьютер ещё не подключён к серверу.</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="176"/>
        <source>An administrator revoked this computer&apos;s access to %1. Connect it again below; your data and unsent changes are kept.</source>
        <translation>Администратор отозвал доступ этого компьютера к %1. Подключите его заново ниже; ваши данные и неотправленные изменения сохранены.</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="180"/>
        <source>Connected to %1 as “%2”.</source>
        <translation>Подключён к %1 как «%2».</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="182"/>
        <source>Connected to %1.</source>
        <translation>Подключён к %1.</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="194"/>
        <source>Testing…</source>
        <translation>Проверка…</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="199"/>
        <source>server address</source>
        <translation>адрес сервера</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="199"/>
        <source>username</source>
        <translation>имя пользователя</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="199"/>
        <source>password</source>
        <translation>пароль</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="204"/>
        <source>Fill in: %1.</source>
        <translation>Заполните: %1.</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="222"/>
        <source>Paste the connection code first.</source>
        <translation>Сначала вставьте код подключения.</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="238"/>
        <source>Connecting…</source>
        <translation>Подключение…</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="249"/>
        <source>Connected. The first sync starts now.</source>
        <translation>Подключено. Первая синхронизация начинается.</translation>
    </message>
    <message>
        <location filename="../ui/settings_dialog.py" line="265"/>
        <source>The server answers.</source>
        <translation>Сервер отвечает.</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../ui/status_bar.py" line="72"/>
        <source>Not sent: %1</source>
        <translation>Не отправлено: %1</translation>
    </message>
    <message>
        <location filename="../ui/status_bar.py" line="73"/>
        <source>Records changed on this computer that the server has not confirmed yet</source>
        <translation>Записи, изменённые на этом компьютере, которые сервер ещё не подтвердил</translation>
    </message>
    <message>
        <location filename="../ui/status_bar.py" line="78"/>
        <source>To review: %1</source>
        <translation>На разбор: %1</translation>
    </message>
    <message>
        <location filename="../ui/status_bar.py" line="79"/>
        <source>Conflicts: %1, rejected changes: %2</source>
        <translation>Конфликтов: %1, непринятых изменений: %2</translation>
    </message>
    <message>
        <location filename="../ui/status_bar.py" line="82"/>
        <source>Never synced</source>
        <translation>Ещё не синхронизировано</translation>
    </message>
    <message>
        <location filename="../ui/status_bar.py" line="84"/>
        <source>Last sync: %1</source>
        <translation>Синхронизация: %1</translation>
    </message>
    <message>
        <location filename="../ui/status_bar.py" line="108"/>
        <source>No answer; trying again in %1 s</source>
        <translation>Нет ответа; повтор через %1 с</translation>
    </message>
    <message>
        <location filename="../ui/status_bar.py" line="110"/>
        <source>Sent %1, received %2</source>
        <translation>Отправлено %1, получено %2</translation>
    </message>
    <message>
        <location filename="../ui/status_bar.py" line="120"/>
        <source>Starting…</source>
        <translation>Начинаем…</translation>
    </message>
</context>
<context>
    <name>SyncTexts</name>
    <message>
        <location filename="../ui/sync_texts.py" line="18"/>
        <source>Not connected</source>
        <translation>Не подключён</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="19"/>
        <source>Connected</source>
        <translation>Подключён</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="20"/>
        <source>Syncing…</source>
        <translation>Синхронизация…</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="21"/>
        <source>Online</source>
        <translation>На связи</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="22"/>
        <source>Offline</source>
        <translation>Нет связи</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="23"/>
        <source>Sync error</source>
        <translation>Ошибка синхронизации</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="24"/>
        <source>Access revoked</source>
        <translation>Доступ отозван</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="31"/>
        <source>This computer is not connected to a server yet. You can work; connect it in Settings to send your changes.</source>
        <translation>Этот компьютер ещё не подключён к серверу. Работать можно; чтобы отправлять изменения, подключите его в настройках.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="34"/>
        <source>Connected to the server; the first sync is about to start.</source>
        <translation>Подключён к серверу; скоро начнётся первая синхронизация.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="35"/>
        <source>Exchanging changes with the server.</source>
        <translation>Идёт обмен изменениями с сервером.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="36"/>
        <source>The last sync went through.</source>
        <translation>Последняя синхронизация прошла успешно.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="37"/>
        <source>The server cannot be reached. Your work is kept on this computer and is sent when the connection is back.</source>
        <translation>Сервер недоступен. Ваша работа хранится на этом компьютере и уйдёт, когда появится связь.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="40"/>
        <source>The last sync failed.</source>
        <translation>Последняя синхронизация не удалась.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="41"/>
        <source>An administrator revoked this computer&apos;s access. Syncing has stopped; your data and unsent changes are kept. Connect this computer again in Settings.</source>
        <translation>Администратор отозвал доступ этого компьютера. Синхронизация остановлена; ваши данные и неотправленные изменения сохранены. Подключите компьютер заново в настройках.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="55"/>
        <source>The server cannot be reached. Check the network connection and the server address.</source>
        <translation>Сервер недоступен. Проверьте подключение к сети и адрес сервера.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="57"/>
        <source>The server could not prove its identity (a certificate problem). Ask the office.</source>
        <translation>Сервер не смог подтвердить свою подлинность (проблема с сертификатом). Обратитесь в офис.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="59"/>
        <source>The server is having trouble right now. Syncing tries again later.</source>
        <translation>У сервера сейчас проблемы. Синхронизация повторится позже.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="60"/>
        <source>The server asked to slow down. Syncing tries again later.</source>
        <translation>Сервер просит обращаться реже. Синхронизация повторится позже.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="61"/>
        <source>An administrator revoked this computer&apos;s access. Your data and unsent changes are kept; connect this computer again in Settings.</source>
        <translation>Администратор отозвал доступ этого компьютера. Ваши данные и неотправленные изменения сохранены; подключите компьютер заново в настройках.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="68"/>
        <source>The server no longer accepts this computer&apos;s key. Connect this computer again in Settings.</source>
        <translation>Сервер больше не принимает ключ этого компьютера. Подключите компьютер заново в настройках.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="70"/>
        <source>The server has newer messages from this computer than it remembers (its database was probably restored from a copy). Your changes are kept; connect this computer again in Settings.</source>
        <translation>На сервере есть более новые сообщения от этого компьютера, чем он помнит (вероятно, его база восстановлена из копии). Ваши изменения сохранены; подключите компьютер заново в настройках.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="73"/>
        <source>The server&apos;s answer was not understood. Is the server address right?</source>
        <translation>Ответ сервера не удалось понять. Правильный ли адрес сервера?</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="75"/>
        <source>This computer is not connected to a server yet.</source>
        <translation>Этот компьютер ещё не подключён к серверу.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="76"/>
        <source>Wrong username or password.</source>
        <translation>Неверное имя пользователя или пароль.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="77"/>
        <source>This user may not connect computers. Ask an administrator for the permission, or for a connection code.</source>
        <translation>Этому пользователю нельзя подключать компьютеры. Попросите у администратора разрешение или код подключения.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="80"/>
        <source>This connection code is not valid. Copy it again, in full.</source>
        <translation>Код подключения неверен. Скопируйте его ещё раз, целиком.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="82"/>
        <source>The server speaks another version of the sync protocol. Update this program.</source>
        <translation>Сервер использует другую версию протокола синхронизации. Обновите эту программу.</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="88"/>
        <source>This is not a server address: %1</source>
        <translation>Это не адрес сервера: %1</translation>
    </message>
    <message>
        <location filename="../ui/sync_texts.py" line="89"/>
        <source>Sync failed: %1</source>
        <translation>Синхронизация не удалась: %1</translation>
    </message>
</context>
</TS>
